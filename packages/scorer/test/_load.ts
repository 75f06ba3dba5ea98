import { loadSharedAccount, writePostsToStore } from './shared-accounts.ts';
await writePostsToStore(process.argv[3]!, loadSharedAccount(process.argv[2] as 'x-legacy-ropensci'));
