// Test fixture run as its own Node process by mlx-process.test.ts: starts a bridge, keeps a
// generation in flight, prints the bridge's pid, then ends the way argv[3] says.
import { backendOptions } from './_test-support.ts';
import { MlxBackend } from './mlx-backend.ts';

const [model, mode] = process.argv.slice(2);
if (!model || !mode) throw new Error('usage: _orphan-fixture.ts <model dir> <exit|throw|wait>');
const backend = new MlxBackend(model, backendOptions());
const stream = backend.streamChat({ messages: [{ role: 'user', content: 'go' }], temperature: 0, maxTokens: 100_000 }, new AbortController().signal);
const iterator = stream[Symbol.asyncIterator]();
await iterator.next(); // the first delta: the bridge is busy generating
process.stdout.write(`${JSON.stringify({ bridgePid: backend.pid })}\n`);
if (mode === 'exit') process.exit(0);
if (mode === 'throw') throw new Error('fixture crashed on purpose');
// 'wait': keep the generation going until the test signals this process.
for (;;) await iterator.next();
