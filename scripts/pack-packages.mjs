// `pnpm pack:packages`: builds the packages and writes one tarball per publishable package into .packs/,
// as `npm publish` would upload it (pnpm replaces `workspace:` specifiers with the versions). Each
// tarball's manifest is checked for what an install outside this repository needs.
// `--no-build` skips the build (when dist/ is known to be current); `--out <folder>` writes elsewhere.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const destination =
  outIndex > 0 && process.argv[outIndex + 1] !== undefined ? resolve(process.argv[outIndex + 1]) : join(root, '.packs');
const PUBLISHED = ['decorators', 'core', 'emulator', 'create-serverless-hub'];
const REQUIRED_FIELDS = ['name', 'version', 'description', 'license', 'repository', 'engines', 'files'];

const pnpm = (args, cwd) =>
  execFileSync('pnpm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    shell: process.platform === 'win32',
  });

if (!process.argv.includes('--no-build')) pnpm(['-r', '--filter', './packages/*', 'run', 'build'], root);
rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });

const problems = [];
for (const folder of PUBLISHED) {
  const directory = join(root, 'packages', folder);
  const before = new Set(readdirSync(destination));
  pnpm(['pack', '--pack-destination', destination], directory);
  const tarball = readdirSync(destination).find((file) => !before.has(file));
  if (tarball === undefined) {
    problems.push(`${folder}: pnpm pack wrote no tarball`);
    continue;
  }
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', join(destination, tarball), 'package/package.json'], { encoding: 'utf8' }),
  );
  for (const field of REQUIRED_FIELDS) if (manifest[field] === undefined) problems.push(`${tarball}: no "${field}"`);
  for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(manifest[kind] ?? {}))
      if (String(spec).startsWith('workspace:')) problems.push(`${tarball}: ${kind}.${name} is still ${spec}`);
  }
  const files = execFileSync('tar', ['-tzf', join(destination, tarball)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  // Every file the published manifest points at (each export condition, the bins) must be in the tarball.
  const targets = (entry) => (typeof entry === 'string' ? [entry] : Object.values(entry ?? {}).flatMap(targets));
  for (const target of targets(manifest.exports)) {
    if (!files.includes(`package/${target.replace(/^\.\//, '')}`))
      problems.push(`${tarball}: exports ${target}, which is not in the tarball`);
  }
  for (const target of Object.values(manifest.bin ?? {}))
    if (!files.includes(`package/${target.replace(/^\.\//, '')}`))
      problems.push(`${tarball}: bin ${target} is not in the tarball`);
  process.stdout.write(`${tarball} (${files.length} files)\n`);
}
if (problems.length > 0) {
  process.stderr.write(`pack:packages found problems:\n${problems.map((problem) => `  ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`Tarballs in ${destination}\n`);
