// Bundles a package's tsc output (its ./dist) into one module per entry point plus shared chunks, in
// place. Usage, from the package folder:
//   node ../../scripts/bundle-dist.mjs [--inline=<package> ...] index [testing/index ...]
// Cold start in Azure Functions is dominated by loading modules from a slow file share: core's entry
// re-exports ~80 modules, and loading one file instead is what keeps importing the framework close to
// importing @azure/functions alone (bench/README.md, cold-start). tsc stays the type build; its .d.ts
// files are untouched, and dependencies stay external (loaded lazily where the code says so), except those
// named with --inline: their code becomes part of the chunks (one file to load instead of their many
// modules, and nothing for an app's bundler or pnpm's strict layout to resolve), and their license goes to
// dist/licenses/.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = `${process.cwd()}/dist/`;
const args = process.argv.slice(2);
const inlined = args.filter((arg) => arg.startsWith('--inline=')).map((arg) => arg.slice('--inline='.length));
const entries = args.filter((arg) => !arg.startsWith('--'));
if (entries.length === 0) throw new Error('Name the entry points to bundle, e.g. index testing/index.');
const manifest = JSON.parse(await readFile(`${process.cwd()}/package.json`, 'utf8'));
const declared = Object.keys({
  ...manifest.dependencies,
  ...manifest.peerDependencies,
  ...manifest.optionalDependencies,
  ...manifest.devDependencies,
});
for (const name of inlined)
  if (!declared.includes(name)) throw new Error(`--inline=${name}: the package does not depend on ${name}.`);
const external = declared.filter((name) => !inlined.includes(name)).flatMap((name) => [name, `${name}/*`]);

const result = await build({
  absWorkingDir: dist,
  entryPoints: Object.fromEntries(entries.map((entry) => [entry, `${entry}.js`])),
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// What the bundle absorbed is no longer imported by anything: keep only the entry points, the chunks
// and the type declarations, so the published package has no second, unused copy of the code.
const kept = new Set(
  Object.keys(result.metafile.outputs).map((path) => fileURLToPath(new URL(path, `file://${dist}`))),
);
for (const input of Object.keys(result.metafile.inputs)) {
  const file = fileURLToPath(new URL(input, `file://${dist}`));
  // Inlined packages are inputs too: only this build's own files are removed.
  if (kept.has(file) || !file.startsWith(dist) || file.includes('/node_modules/')) continue;
  await rm(file, { force: true });
  await rm(`${file}.map`, { force: true });
}

// Chunks of an earlier build (their names carry a content hash) are referenced by nothing now.
for (const name of await readdir(`${dist}chunks`).catch(() => [])) {
  const file = `${dist}chunks/${name}`;
  const output = file.endsWith('.map') ? file.slice(0, -'.map'.length) : file;
  if (!kept.has(output)) await rm(file, { force: true });
}

// An inlined package's code is shipped in the chunks: so is its license.
const resolveFromPackage = createRequire(`${process.cwd()}/package.json`);
for (const name of inlined) {
  const folder = dirname(resolveFromPackage.resolve(`${name}/package.json`));
  const license = (await readdir(folder)).find((file) => /^licen[cs]e/i.test(file));
  if (license === undefined) throw new Error(`--inline=${name}: its package has no LICENSE file to ship.`);
  await mkdir(`${dist}licenses`, { recursive: true });
  await copyFile(`${folder}/${license}`, `${dist}licenses/${name.replace('/', '__')}.txt`);
}
