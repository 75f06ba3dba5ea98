/**
 * Writes `data/samples/`: synthetic exports of one made-up author (Maya Lindqvist, @mayabuilds,
 * a solo developer building a habit tracker) in every format `social-collect ingest` reads. The
 * engagement follows rules a model can learn (tips and threads travel, replies and links do not,
 * US mornings beat late nights, the audience grows over time), with seeded noise.
 *
 *   pnpm exec tsx packages/ingest/test/generate-samples.ts
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const OUT = fileURLToPath(new URL('../../../data/samples/', import.meta.url));
const HANDLE = 'mayabuilds';

let seed = 20240101;
function rnd(): number {
  // mulberry32: small, seeded, good enough for sample data.
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
function gauss(): number {
  return Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
}
const noise = (sigma: number) => Math.exp(sigma * gauss());

type Kind = 'tip' | 'thread' | 'milestone' | 'question' | 'link' | 'opinion' | 'update' | 'personal' | 'reply';

const TOOLS = ['TypeScript', 'SQLite', 'Postgres', 'Vitest', 'pnpm', 'Tailwind', 'Expo', 'Fly.io', 'Stripe', 'Zod'];
const NUMBERS = [3, 4, 5, 7];
const TEMPLATES: Record<Kind, ((n: number, tool: string) => string)[]> = {
  tip: [
    (n, t) => `${n} ${t} tricks I use every day:\n\n1. keep configs typed end to end\n2. validate at the edges\n3. let the compiler find the dead code\n\nWhich one is new to you?`,
    (n, t) => `A ${t} habit that saved me hours this month: write the failing test first, even for a ${n}-line fix.`,
    (n, t) => `If your ${t} setup takes more than ${n} minutes to explain, it's too clever. Boring tools ship products.`,
    (n) => `${n} things I check before every release:\n- migrations run twice\n- error messages say what to do\n- the onboarding still works on a slow phone`,
    (n, t) => `Small ${t} tip: name things after what they are, not how they work. Future you will read it ${n}x more than you write it.`,
  ],
  thread: [
    (n) => `🧵 How Streakly got its first 1,000 users without a single ad (1/${n})`,
    (n, t) => `🧵 Everything I got wrong moving Streakly to ${t}, so you don't have to (1/${n})`,
    (n) => `🧵 ${n} pricing experiments I ran this year and what each one taught me (1/${n})`,
  ],
  milestone: [
    (n) => `Streakly just crossed ${n * 100} paying users. 14 months ago it was a weekend project in a notebook.`,
    (n) => `Day ${n * 50} of building in public: first month where revenue covers rent. Still a bit unreal.`,
    () => `We hit #1 on the productivity charts in Sweden today. My mum sent a screenshot. 🥹`,
  ],
  question: [
    () => `What's the one tool you'd never give up as a solo dev?`,
    (_n, t) => `Honest question: is anyone still happy with ${t} after a year in production?`,
    () => `What should I build next for Streakly: widgets, shared streaks, or a web app?`,
  ],
  link: [
    (_n, t) => `New blog post: why I moved a side project to ${t} and what broke along the way https://mayabuilds.dev/blog/${t.toLowerCase().replace('.', '')}`,
    () => `Wrote up my whole release checklist &amp; the scripts behind it: https://mayabuilds.dev/blog/release-checklist`,
    () => `Podcast episode with me on Q&amp;A about solo SaaS is out: https://example.fm/ep/42`,
  ],
  opinion: [
    () => `Unpopular opinion: most side projects don't need a backend. They need ten users who care.`,
    (_n, t) => `Hot take: ${t} is fine. Your problem is the 14 libraries you put on top of it.`,
    () => `Shipping weekly beats shipping perfectly. Every single time.`,
  ],
  update: [
    () => `Shipped: dark mode, CSV export and 2x faster sync. Changelog → https://streakly.app/changelog`,
    (n) => `Streakly ${n}.${Math.floor(rnd() * 9)} is live: reminders that respect your time zone, finally.`,
    () => `Fixed the sync bug some of you hit on Tuesday. Sorry about that, and thanks for the detailed reports.`,
  ],
  personal: [
    () => `Took the day off to hike. Came back with three feature ideas and sore legs. Classic.`,
    () => `Coffee, rain, and a clean inbox. Good Monday.`,
    () => `Reminder that rest is part of the work. Back tomorrow.`,
  ],
  reply: [
    () => `@devfriend totally agree, the DX is night and day`,
    (_n, t) => `@sam_codes we use ${t} for that, happy to share the setup`,
    () => `@indiehackr thanks! it took way longer than I'd like to admit`,
    () => `@julia_dev yes! and the docs are great too`,
  ],
};
const KIND_WEIGHTS: [Kind, number][] = [
  ['tip', 0.18], ['thread', 0.07], ['milestone', 0.06], ['question', 0.1], ['link', 0.12], ['opinion', 0.09], ['update', 0.1], ['personal', 0.08], ['reply', 0.2],
];
const REACH: Record<Kind, number> = { tip: 1.8, thread: 2.4, milestone: 2.1, question: 1.15, link: 0.6, opinion: 1.6, update: 0.9, personal: 0.8, reply: 0.12 };
const LIKE_RATE: Record<Kind, number> = { tip: 1.3, thread: 1.2, milestone: 1.8, question: 0.8, link: 0.6, opinion: 1.1, update: 0.9, personal: 1.2, reply: 0.9 };

function kindOf(): Kind {
  let r = rnd();
  for (const [kind, w] of KIND_WEIGHTS) {
    r -= w;
    if (r <= 0) return kind;
  }
  return 'tip';
}

interface SamplePost {
  id: string;
  kind: Kind;
  text: string;
  at: Date;
  impressions: number;
  likes: number;
  reposts: number;
  replies: number;
  bookmarks: number;
  urlClicks: number;
  profileClicks: number;
  detailExpands: number;
  follows: number;
  mediaViews: number;
}

const START = Date.UTC(2023, 9, 1);
const END = Date.UTC(2024, 4, 1);
let idCounter = 1_708_000_000_000_000_000n;

function makePost(at: Date, kind = kindOf()): SamplePost {
  idCounter += BigInt(Math.floor(1e15 * (0.5 + rnd())));
  const text = pick(TEMPLATES[kind])(pick(NUMBERS), pick(TOOLS));
  const hour = at.getUTCHours();
  const day = at.getUTCDay();
  const timeOfDay = hour >= 13 && hour <= 16 ? 1.35 : hour >= 22 || hour <= 5 ? 0.65 : 1;
  const weekend = day === 0 || day === 6 ? 0.85 : 1;
  const growth = 1 + (0.6 * (at.getTime() - START)) / (END - START);
  const hasMedia = kind !== 'reply' && rnd() < 0.25;
  const impressions = Math.max(8, Math.round(1400 * REACH[kind] * timeOfDay * weekend * growth * (hasMedia ? 1.2 : 1) * noise(0.45)));
  const likes = Math.round(impressions * 0.018 * LIKE_RATE[kind] * noise(0.35));
  const replies = Math.round(likes * (kind === 'question' ? 0.55 : kind === 'opinion' ? 0.3 : 0.1) * noise(0.4));
  const reposts = Math.round(likes * (kind === 'tip' || kind === 'thread' ? 0.3 : 0.12) * noise(0.4));
  return {
    id: idCounter.toString(),
    kind,
    text,
    at,
    impressions,
    likes,
    reposts,
    replies,
    bookmarks: Math.round(likes * (kind === 'tip' || kind === 'thread' ? 0.5 : 0.05) * noise(0.4)),
    urlClicks: kind === 'link' || kind === 'update' ? Math.round(impressions * 0.012 * noise(0.4)) : 0,
    profileClicks: Math.round(impressions * 0.004 * noise(0.5)),
    detailExpands: Math.round(impressions * 0.01 * noise(0.5)),
    follows: rnd() < 0.3 ? Math.round(REACH[kind] * 2 * rnd()) : 0,
    mediaViews: hasMedia ? Math.round(impressions * 0.2 * noise(0.3)) : 0,
  };
}

/** Posts spread over [from, to): about `perDay` a day, at plausible hours. */
function timeline(from: number, to: number, count: number, kinds?: Kind[]): SamplePost[] {
  const posts: SamplePost[] = [];
  for (let i = 0; i < count; i++) {
    const dayStart = from + Math.floor(((to - from) / count) * i / 86_400_000) * 86_400_000;
    const hour = pick([7, 8, 9, 12, 13, 14, 14, 15, 15, 16, 17, 19, 20, 21, 23]);
    const at = new Date(dayStart + hour * 3_600_000 + Math.floor(rnd() * 60) * 60_000);
    posts.push(makePost(at, kinds ? pick(kinds) : undefined));
  }
  return posts.sort((a, b) => b.at.getTime() - a.at.getTime());
}

const q = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
const csvCell = (v: string | number) => (/[",\n\r]/.test(String(v)) ? q(v) : String(v));
const engagements = (p: SamplePost) => p.likes + p.reposts + p.replies + p.urlClicks + p.profileClicks + p.detailExpands + p.follows;

const LEGACY_HEADER = [
  'Tweet id', 'Tweet permalink', 'Tweet text', 'time', 'impressions', 'engagements', 'engagement rate', 'retweets', 'replies', 'likes',
  'user profile clicks', 'url clicks', 'hashtag clicks', 'detail expands', 'permalink clicks', 'app opens', 'app installs', 'follows',
  'email tweet', 'dial phone', 'media views', 'media engagements',
  ...['impressions', 'engagements', 'engagement rate', 'retweets', 'replies', 'likes', 'user profile clicks', 'url clicks', 'hashtag clicks', 'detail expands', 'permalink clicks', 'app opens', 'app installs', 'follows', 'email tweet', 'dial phone', 'media views', 'media engagements'].map((h) => `promoted ${h}`),
];

function legacyRow(p: SamplePost): string {
  const eng = engagements(p);
  const iso = p.at.toISOString();
  const f = (n: number) => `${n}.0`;
  return [
    p.id, `https://twitter.com/${HANDLE}/status/${p.id}`, p.text, `${iso.slice(0, 10)} ${iso.slice(11, 16)} +0000`,
    f(p.impressions), f(eng), String(eng / p.impressions), f(p.reposts), f(p.replies), f(p.likes), f(p.profileClicks), f(p.urlClicks), '0.0',
    f(p.detailExpands), '0.0', '0', '0', String(p.follows), '0', '0', String(p.mediaViews), String(p.mediaViews ? Math.round(p.mediaViews * 0.1) : 0),
    ...Array.from({ length: 18 }, () => '-'),
  ].map(q).join(',');
}

const thousands = (n: number) => (n >= 1000 ? q(n.toLocaleString('en-US')) : String(n));
function currentDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `"${days[d.getUTCDay()]}, ${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}"`;
}

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  const x = join(OUT, 'x');
  await mkdir(x, { recursive: true });

  // X legacy: three monthly exports, January to March 2024 (the bulk of the history).
  const months: [string, number, number, number][] = [
    ['20240101_20240201', Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1), 42],
    ['20240201_20240301', Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1), 38],
    ['20240301_20240401', Date.UTC(2024, 2, 1), Date.UTC(2024, 3, 1), 44],
  ];
  for (const [range, from, to, count] of months) {
    const rows = timeline(from, to, count).map(legacyRow);
    await writeFile(join(x, `tweet_activity_metrics_${HANDLE}_${range}_en.csv`), `${[LEGACY_HEADER.map(q).join(','), ...rows].join('\n')}\n`);
  }

  // X current export: April 2024, day-precision dates, thousands separators, a BOM.
  const april = timeline(Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1), 26);
  const currentHeader = 'Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks,Hashtag Clicks,Permalink Clicks';
  const currentRows = april.map((p) =>
    [
      p.id, currentDate(p.at), csvCell(p.text.replace(/&amp;/g, '&')), `https://x.com/${HANDLE}/status/${p.id}`, thousands(p.impressions), thousands(p.likes),
      thousands(engagements(p)), p.bookmarks, Math.round(p.reposts * 0.2), p.follows, p.replies, p.reposts, p.profileClicks, p.detailExpands, p.urlClicks, 0, 0,
    ].join(','),
  );
  await writeFile(join(x, 'account_analytics_content_2024-04-01_2024-04-30.csv'), `\ufeff${[currentHeader, ...currentRows].join('\n')}\n`);

  // X data archive: October to December 2023, with replies and retweets; account.js names the owner.
  const archiveDir = join(x, 'archive', 'data');
  await mkdir(archiveDir, { recursive: true });
  const archive = timeline(START, Date.UTC(2024, 0, 1), 34);
  const entries = archive.map((p, i) => {
    const rt = i % 11 === 5;
    const text = rt ? `RT @indiehackr: The best marketing is a product people talk about. ${pick(['Ship it.', 'Full stop.', ''])}`.trim() : p.text;
    return {
      tweet: {
        id_str: p.id,
        id: p.id,
        full_text: text,
        created_at: `${p.at.toUTCString().slice(0, 3)} ${p.at.toUTCString().slice(8, 11)} ${p.at.toUTCString().slice(5, 7)} ${p.at.toISOString().slice(11, 19)} +0000 ${p.at.getUTCFullYear()}`,
        favorite_count: String(rt ? 0 : p.likes),
        retweet_count: String(p.reposts),
        lang: 'en',
        retweeted: false,
        ...(p.kind === 'reply' && !rt ? { in_reply_to_status_id_str: (BigInt(p.id) - 12345n).toString(), in_reply_to_screen_name: p.text.slice(1, p.text.indexOf(' ')) } : {}),
        entities: { hashtags: [], urls: [], ...(p.mediaViews ? { media: [{ type: 'photo' }] } : {}) },
      },
    };
  });
  await writeFile(join(archiveDir, 'tweets.js'), `window.YTD.tweets.part0 = ${JSON.stringify(entries, null, 2).replace(/": /g, '" : ')}\n`);
  await writeFile(
    join(archiveDir, 'account.js'),
    `window.YTD.account.part0 = ${JSON.stringify([{ account: { username: HANDLE, accountId: '1500000000', accountDisplayName: 'Maya Lindqvist' } }], null, 2)}\n`,
  );

  // Meta Business Suite: the Facebook page and the Instagram account, April 2024.
  const meta = join(OUT, 'meta');
  await mkdir(meta, { recursive: true });
  const fbHeader = '"Post ID","Page ID","Page name",Title,Description,"Duration (sec)","Publish time","Caption type",Permalink,"Is crosspost","Is share","Post type",Languages,"Custom labels","Funded content status","Data comment",Date,Views,"Views from Organic posts","Views from Boosted posts",Reach,"Reach from Organic posts","Reach from Boosted posts","Reactions, Comments and Shares",Reactions,Comments,Shares';
  const fbPosts = timeline(Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1), 10, ['tip', 'milestone', 'update', 'link', 'personal']);
  const mdY = (d: Date) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()} ${d.toISOString().slice(11, 16)}`;
  const fbRows = fbPosts.map((p, i) => {
    const id = `12200${String(4512345678 + i * 7919)}`;
    const type = p.mediaViews ? 'Photos' : p.kind === 'link' ? 'Links' : 'Text';
    const views = Math.round(p.impressions * 0.5);
    const reactions = Math.round(p.likes * 0.7);
    const comments = Math.round(p.replies * 0.6);
    const shares = Math.round(p.reposts * 0.5);
    return [id, '100089912345678', q('Maya Builds'), csvCell(p.text.replace(/&amp;/g, '&')), '', 0, q(mdY(p.at)), 'N/A', `https://www.facebook.com/mayabuilds/posts/pfbid0${id}`, 0, 0, type, '', '', '', '', 'Lifetime', views, views, 0, Math.round(views * 0.7), Math.round(views * 0.7), 0, reactions + comments + shares, reactions, comments, shares].join(',');
  });
  await writeFile(join(meta, 'Apr-01-2024_Apr-30-2024_100089912345678.csv'), `\ufeff${[fbHeader, ...fbRows].join('\n')}\n`);
  const igHeader = 'Post ID,Account ID,Account username,Account name,Description,Duration (sec),Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,Comments,Saves';
  const igPosts = timeline(Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1), 9, ['tip', 'milestone', 'personal', 'update']);
  const igRows = igPosts.map((p, i) => {
    const id = `180${String(31234567890123 + i * 104729)}`;
    const reel = i % 3 === 0;
    return [id, '17841400000000001', HANDLE, q('Maya Lindqvist'), csvCell(`${p.text.replace(/&amp;/g, '&')} #buildinpublic #indiedev`), reel ? 30 + i : 0, mdY(p.at), `https://www.instagram.com/${reel ? 'reel' : 'p'}/C${id.slice(-8)}/`, reel ? 'IG reel' : 'IG image', '', 'Lifetime', thousands(Math.round(p.impressions * 0.8)), Math.round(p.impressions * 0.6), Math.round(p.likes * 1.5), Math.round(p.reposts * 0.4), p.follows, Math.round(p.replies * 0.8), Math.round(p.bookmarks * 0.7)].join(',');
  });
  await writeFile(join(meta, 'instagram_Apr-01-2024_Apr-30-2024_17841400000000001.csv'), `${[igHeader, ...igRows].join('\n')}\n`);

  // LinkedIn: the member archive (Shares.csv, Profile.csv) and the analytics workbook for the same months.
  const linkedin = join(OUT, 'linkedin');
  await mkdir(linkedin, { recursive: true });
  const liPosts = timeline(Date.UTC(2024, 0, 1), Date.UTC(2024, 4, 1), 12, ['tip', 'milestone', 'opinion', 'link', 'update', 'thread']).map((p, i) => ({
    ...p,
    share: `71${String(50000000000000000 + i * 3_700_000_000_000)}`,
    // LinkedIn's analytics often use an activity URN that differs from the archive's share URN.
    activity: i % 2 === 0 ? `71${String(50000000000000000 + i * 3_700_000_000_000)}` : `71${String(50000000000000000 + i * 3_700_000_000_000 + 1_234_567)}`,
    text: p.text.replace(/&amp;/g, '&').replace(/^🧵 /, '').replace(/ \(1\/\d\)$/, '. Here is what I learned.'),
  }));
  const shareRows = liPosts.map((p) =>
    [p.at.toISOString().slice(0, 19).replace('T', ' '), `https://www.linkedin.com/feed/update/urn%3Ali%3A${p.activity === p.share ? 'activity' : 'share'}%3A${p.share}`, csvCell(p.text), '', p.mediaViews ? 'https://media.licdn.com/dms/image/sample.png' : '', 'MEMBER_NETWORK'].join(','),
  );
  await writeFile(join(linkedin, 'Shares.csv'), `${['Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility', ...shareRows].join('\n')}\n`);
  await writeFile(join(linkedin, 'Profile.csv'), 'First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\nMaya,Lindqvist,,,,"Building Streakly in public",,Software Development,,"Stockholm, Sweden",[mayabuilds],[https://mayabuilds.dev],\n');
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('DISCOVERY').addRows([['Overall Performance', '1/1/2024 - 4/30/2024'], ['Impressions', liPosts.reduce((s, p) => s + p.impressions, 0)], ['Members reached', 8123]]);
  wb.addWorksheet('ENGAGEMENT').addRows([['Date', 'Impressions', 'Engagements']]);
  const top = wb.addWorksheet('TOP POSTS');
  top.addRow(['Maximum of 50 posts available to include in this list']);
  top.addRow([]);
  top.addRow(['Post URL', 'Post publish date', 'Engagements', null, 'Post URL', 'Post publish date', 'Impressions']);
  const ranked = liPosts.slice(0, 9);
  const byEng = [...ranked].sort((a, b) => engagements(b) - engagements(a));
  const byImp = [...ranked].sort((a, b) => b.impressions - a.impressions);
  const url = (p: (typeof liPosts)[number]) => `https://www.linkedin.com/feed/update/urn:li:activity:${p.activity}`;
  const usDate = (d: Date) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  for (let i = 0; i < ranked.length; i++) {
    const e = byEng[i]!;
    const m = byImp[i]!;
    top.addRow([url(e), usDate(e.at), Math.round(engagements(e) * 0.6), null, url(m), usDate(m.at), Math.round(m.impressions * 0.7)]);
  }
  wb.addWorksheet('FOLLOWERS').addRows([['Total followers on 4/30/2024:', 2310]]);
  wb.addWorksheet('DEMOGRAPHICS').addRows([['Top Demographics', 'Value', 'Percentage'], ['Job titles', 'Software Engineer', 0.31]]);
  await wb.xlsx.writeFile(join(linkedin, 'Content_2024-01-01_2024-04-30_MayaLindqvist.xlsx'));

  // A generic JSONL export (e.g. from a Bluesky script) whose keys already use the field names.
  const generic = join(OUT, 'bluesky');
  await mkdir(generic, { recursive: true });
  const bsky = timeline(Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1), 8, ['tip', 'opinion', 'question', 'personal']).map((p, i) =>
    JSON.stringify({
      platform: 'bluesky',
      post_id: `3kq${(1000 + i * 37).toString(36)}x${i}`,
      author: 'mayabuilds.bsky.social',
      text: p.text.replace(/&amp;/g, '&'),
      created_at: p.at.toISOString(),
      likes: Math.round(p.likes * 0.4),
      reposts: Math.round(p.reposts * 0.4),
      replies: Math.round(p.replies * 0.5),
    }),
  );
  await writeFile(join(generic, 'posts.jsonl'), `${bsky.join('\n')}\n`);
}

await main();
