// `pnpm bench` launcher: rebuilds what is stale (the packages with `pnpm build`, the chat sample with its
// own build), then runs the TypeScript benchmarks with tsx and the Node.js flags they need.
//   --source     run the workspace packages from their TypeScript sources (no build; the smoke test)
//   --no-build   never build; fail if something is missing
//   --profile=<figure> [--count=N] [--baseline]   profile one CPU benchmark instead (bench/src/profile.ts)
// Every other argument goes to bench/src/main.ts (--quick, --scale=, --only=, --out=).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const source = args.includes('--source');
const noBuild = args.includes('--no-build');
const forwarded = args.filter((arg) => arg !== '--no-build');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.test-d.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function isStale(projectDir) {
  const output = join(projectDir, 'dist', 'index.js');
  return !existsSync(output) || statSync(output).mtimeMs < newestSource(join(projectDir, 'src'));
}

function run(command, commandArgs) {
  process.stderr.write(`bench: ${command} ${commandArgs.join(' ')}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`bench: '${command} ${commandArgs.join(' ')}' failed; fix the build, or run with --source.\n`);
    process.exit(result.status ?? 1);
  }
}

if (!source) {
  const packages = ['core', 'decorators', 'emulator'].map((name) => join(root, 'packages', name));
  const sample = join(root, 'samples', 'chat');
  const stale = [...packages, sample].filter(isStale);
  if (stale.length > 0 && noBuild) {
    process.stderr.write(
      `bench: not built or older than their sources: ${stale.map((dir) => dir.slice(root.length + 1)).join(', ')}. Run pnpm build.\n`,
    );
    process.exit(1);
  }
  if (packages.some((dir) => stale.includes(dir))) run('pnpm', ['build']);
  // The sample builds against the packages' declarations, so after them.
  if (stale.includes(sample)) run('pnpm', ['--filter', '@serverless-hub/sample-chat', 'run', 'build']);
}

const nodeFlags = ['--expose-gc', ...(source ? ['--conditions=source'] : []), '--import', 'tsx'];
const script = args.some((arg) => arg.startsWith('--profile')) ? 'profile.ts' : 'main.ts';
const result = spawnSync(process.execPath, [...nodeFlags, join(root, 'bench', 'src', script), ...forwarded], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
