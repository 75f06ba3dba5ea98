import type { NewRecord } from '../src/index.ts';

/** A valid post record for tests; `seq` makes the post id and text unique, `likes` the version. */
export function postRecord(postId: string, likes = 1, textBytes = 40): NewRecord {
  return {
    type: 'post',
    source: 'test',
    data: {
      platform: 'x',
      post_id: postId,
      author: 'tester',
      text: `post ${postId} `.padEnd(textBytes, 'x'),
      created_at: '2024-03-01T12:00:00.000Z',
      is_reply: false,
      is_repost: false,
      metrics: { impressions: 100, likes },
    },
    metadata: { file: 'fixture.csv', line: 2 },
  };
}
