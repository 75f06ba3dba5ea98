import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat } from '../src/detect.ts';
import { readExport } from '../src/read-export.ts';
const root = '/work/shared/data';
for (const dir of readdirSync(root).filter((d) => !d.includes('.'))) {
  let posts = 0, rejects = 0, rows = 0, replies = 0, reposts = 0; const formats = new Set(); const reasons = new Map(); let sample;
  const keys = new Set();
  for (const f of readdirSync(join(root, dir)).sort()) {
    const d = await detectFormat(join(root, dir, f));
    formats.add(d.format + (d.headerAtEnd ? '(header-at-end)' : '') + (d.binding?.positional ? '(positional)' : ''));
    for await (const b of readExport(d)) {
      posts += b.posts.length; rejects += b.rejects.length; rows += b.rows;
      for (const p of b.posts) { keys.add(p.data.post_id); if (p.data.is_reply) replies++; if (p.data.is_repost) reposts++; sample ??= p; }
      for (const r of b.rejects) reasons.set(r.reason.slice(0, 60), (reasons.get(r.reason.slice(0, 60)) ?? 0) + 1);
    }
  }
  console.log(dir, [...formats], { rows, posts, unique: keys.size, rejects, replies, notReplies: posts - replies, reposts }, [...reasons].slice(0, 3));
  console.log('  ', JSON.stringify(sample)?.slice(0, 400));
}
