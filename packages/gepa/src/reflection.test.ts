import { describe, expect, it } from 'vitest';
import { buildReflectionMessages, extractFencedText } from './reflection.ts';

describe('extractFencedText', () => {
  it.each([
    ['between the first and last fences', 'Thoughts.\n```\nNew text\nline two\n```\nDone.', 'New text\nline two'],
    ['drops a language tag', '```markdown\nUse a hook.\n```', 'Use a hook.'],
    ['keeps inner fences (first to last)', '```\nA\n```\nmiddle\n```\nB\n```', 'A\n```\nmiddle\n```\nB'],
    ['takes unfenced output whole', '  Just the text.  ', 'Just the text.'],
    ['drops a lone opening fence', '```\nOpen only', 'Open only'],
    ['drops a lone closing fence', 'Close only\n```', 'Close only'],
  ])('%s', (_name, output, expected) => {
    expect(extractFencedText(output)).toBe(expected);
  });
});

describe('buildReflectionMessages', () => {
  it('shows the current text and, per example, inputs, outputs and feedback', () => {
    const [system, user] = buildReflectionMessages('instruction', 'Write a post.', [
      { inputs: 'topic: R release', outputs: 'New release!', feedback: 'too long: 312/280', score: 0.25 },
    ]);
    expect(system?.role).toBe('system');
    expect(user?.content).toContain('Write a post.');
    expect(user?.content).toContain('topic: R release');
    expect(user?.content).toContain('New release!');
    expect(user?.content).toContain('too long: 312/280');
    expect(user?.content).toContain('```');
  });
});
