// Bundles a package's tsc output (its ./dist) into one module per entry point plus shared chunks, in
// place. Usage, from the package folder: node ../../scripts/bundle-dist.mjs index [testing/index ...]
// Cold start in Azure Functions is dominated by loading modules from a slow file share: core's entry
// re-exports ~80 modules, and loading one file instead is what keeps importing the framework close to
// importing @azure/functions alone (bench/README.md, cold-start). tsc stays the type build; its .d.ts
// files are untouched, and dependencies stay external (loaded lazily where the code says so).
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const dist = `${process.cwd()}/dist/`;
const entries = process.argv.slice(2);
if (entries.length === 0) throw new Error('Name the entry points to bundle, e.g. index testing/index.');

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
  packages: 'external',
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
  if (kept.has(file)) continue;
  await rm(file, { force: true });
  await rm(`${file}.map`, { force: true });
}

// Chunks of an earlier build (their names carry a content hash) are referenced by nothing now.
for (const name of await readdir(`${dist}chunks`).catch(() => [])) {
  const file = `${dist}chunks/${name}`;
  const output = file.endsWith('.map') ? file.slice(0, -'.map'.length) : file;
  if (!kept.has(output)) await rm(file, { force: true });
}
