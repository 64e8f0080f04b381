// Every code block of README.md and docs/ either runs here or says that it is a fragment (its fence reads
// e.g. ```ts fragment): an example that a reader copies must work as written. Blocks in TypeScript are
// written to files beside this test and imported, with a local service emulator as the app's SignalR
// Service; plain-text blocks (diagrams, logs: no language, or `text`) are not code. Blocks run in page order.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerHubs, ServerlessHub } from '@serverless-hub/core';
import { clearRegisteredFunctions } from '@serverless-hub/core/testing';
import { createServiceEmulator } from '@serverless-hub/emulator';
import type { ServiceEmulator } from '@serverless-hub/emulator';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = join(root, 'test', '.doc-examples');

interface Block {
  readonly file: string;
  readonly line: number;
  readonly language: string;
  readonly fragment: boolean;
  readonly code: string;
}

async function blocks(): Promise<Block[]> {
  const files = [
    'README.md',
    ...(await readdir(join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  ];
  const found: Block[] = [];
  for (const file of files) {
    const lines = (await readFile(join(root, file), 'utf8')).split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const fence = /^```(\S*)(.*)$/.exec(lines[index] ?? '');
      if (fence === null) continue;
      const end = lines.findIndex((text, position) => position > index && text.startsWith('```'));
      found.push({
        file,
        line: index + 1,
        language: fence[1] ?? '',
        fragment: /\bfragment\b/.test(fence[2] ?? ''),
        code: lines.slice(index + 1, end).join('\n'),
      });
      index = end;
    }
  }
  return found;
}

const all = await blocks();
const code = all.filter((block) => block.language !== '' && block.language !== 'text');
const runnable = code.filter((block) => !block.fragment);

let emulator: ServiceEmulator;

beforeAll(async () => {
  emulator = createServiceEmulator({ port: 0, logLevel: 'silent' });
  await emulator.start();
  process.env.AzureSignalRConnectionString = emulator.connectionString;
  process.env.AUTH_SECRET = 'docs-examples-secret-0123456789abcdef';
  await rm(examples, { recursive: true, force: true });
  await mkdir(examples, { recursive: true });
});

afterAll(async () => {
  await emulator.close();
  await rm(examples, { recursive: true, force: true });
});

beforeEach(() => {
  clearRegisteredFunctions();
});

describe('the code blocks of README.md and docs/', () => {
  it('are TypeScript that runs, or say that they are fragments', () => {
    expect(
      runnable
        .filter((block) => block.language !== 'ts')
        .map((block) => `${block.file}:${String(block.line)} (${block.language})`),
    ).toEqual([]);
  });

  it.each(
    runnable
      .filter((block) => block.language === 'ts')
      .map((block) => [`${block.file}:${String(block.line)}`, block] as const),
  )('%s runs', async (_where, block) => {
    // A block that starts with its file's path (`// src/chat.ts`) is written under that name, in a folder per
    // page, so that a later block of the page can import it (`./chat.js`).
    const named = /^\/\/ src\/([\w-]+)\.ts\b/.exec(block.code)?.[1];
    const folder = join(examples, block.file.replace(/[/.]/g, '_'));
    await mkdir(folder, { recursive: true });
    const path = join(folder, `${named ?? `block_${String(block.line)}`}.ts`);
    await writeFile(path, `${block.code}\nexport {};\n`);
    const module = (await import(path)) as Record<string, unknown>;
    // A hub the block exports without registering it must still pass registration's checks.
    const hubs = Object.values(module).filter(
      (value): value is typeof ServerlessHub => typeof value === 'function' && value.prototype instanceof ServerlessHub,
    );
    clearRegisteredFunctions();
    if (hubs.length > 0)
      expect(registerHubs({ http: () => undefined, generic: () => undefined }, hubs).functions.length).toBeGreaterThan(
        0,
      );
  });
});
