// Runs the whole benchmark suite at its smallest scale, so the benchmarks cannot rot: every measurement
// must still run against the current sources and produce a well-formed result. The figures of such a
// short run mean nothing, so nothing here depends on them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

/** The figures `bench/results/latest.json` documents (bench/README.md), in table order. */
const FIGURES = [
  'upstream-invoke-json',
  'upstream-invoke-msgpack',
  'upstream-invoke-validated',
  'negotiate',
  'negotiate-rate',
  'cold-start',
  'rest-send',
  'emulator-fanout',
  'e2e-echo-1-p50',
  'e2e-echo-1-p99',
  'e2e-echo-50-p50',
  'e2e-echo-50-p99',
  'e2e-client-result-1-p50',
  'e2e-client-result-1-p99',
  'e2e-client-result-50-p50',
  'e2e-client-result-50-p99',
  'e2e-stream-items-per-second',
];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runBench(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'run.mjs'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

function isPositiveNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

describe('pnpm bench --quick at a tiny scale', () => {
  it('runs every benchmark with its baseline and writes the results table and JSON', { timeout: 240_000 }, async () => {
    const outFile = join(outDir, 'tiny.json');
    const run = await runBench(['--source', '--scale=tiny', `--out=${outFile}`]);
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);

    const results = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, unknown>[];
    expect(results.map((result) => result['name'])).toEqual(FIGURES);
    for (const result of results) {
      const name = String(result['name']);
      expect(Object.keys(result), name).toEqual(
        expect.arrayContaining(['name', 'value', 'unit', 'baseline', 'ratio', 'goal']),
      );
      expect(isPositiveNumber(result['value']), `${name} value ${String(result['value'])}`).toBe(true);
      expect(typeof result['unit'] === 'string' && result['unit'] !== '', `${name} unit`).toBe(true);
      expect(typeof result['goal'], `${name} goal`).toBe('string');
      if (name.startsWith('e2e-')) {
        // Latencies are reported without a baseline or goal.
        expect(result['baseline'], name).toBeNull();
        expect(result['ratio'], name).toBeNull();
        expect(result['goal'], name).toBe('reported');
        expect(result['met'], name).toBeNull();
      } else if (name === 'upstream-invoke-validated') {
        // The cost of validation against the unvalidated echo: a baseline and ratio, but no goal.
        expect(isPositiveNumber(result['baseline']), `${name} baseline ${String(result['baseline'])}`).toBe(true);
        expect(isPositiveNumber(result['ratio']), `${name} ratio ${String(result['ratio'])}`).toBe(true);
        expect(result['goal'], name).toBe('reported');
        expect(result['met'], name).toBeNull();
      } else {
        expect(isPositiveNumber(result['baseline']), `${name} baseline ${String(result['baseline'])}`).toBe(true);
        expect(isPositiveNumber(result['ratio']), `${name} ratio ${String(result['ratio'])}`).toBe(true);
        expect(result['goal'], name).not.toBe('reported');
        expect(typeof result['met'], `${name} met`).toBe('boolean');
      }
      // The table on stdout lists every figure.
      expect(run.stdout).toContain(name);
    }
  });

  it('refuses an unknown scale with a clear message', async () => {
    const run = await runBench(['--source', '--scale=huge']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--scale must be full, quick or tiny');
  });
});
