#!/usr/bin/env node
// `npm create serverless-hub <dir>`: copies the template into <dir>, names the app after the folder, and
// points its @serverless-hub dependencies at this starter's version on the registry, or, with
// `--packs <folder>`, at the package tarballs in that folder (`pnpm pack:packages` writes them).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const template = join(here, 'template');
// npm leaves .gitignore files out of packages, so dot files are stored with a leading underscore.
const renamed = new Map([
  ['_gitignore', '.gitignore'],
  ['_funcignore', '.funcignore'],
]);
const FRAMEWORK_PACKAGES = ['@serverless-hub/core', '@serverless-hub/decorators', '@serverless-hub/emulator'];

const usage = `Usage: npm create serverless-hub <dir> [-- --packs <folder>]

Creates an Azure Functions app (TypeScript) with one ServerlessHub hub in <dir>.
  --packs <folder>   use the @serverless-hub package tarballs in <folder> instead of the registry`;

function fail(message) {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(1);
}

function parse(argv) {
  let target;
  let packs;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else if (arg === '--packs') {
      packs = argv[index + 1];
      index += 1;
      if (packs === undefined) fail('--packs needs a folder.');
    } else if (arg.startsWith('-')) {
      fail(`Unknown option ${arg}.`);
    } else if (target === undefined) {
      target = arg;
    } else {
      fail(`One folder only, got ${target} and ${arg}.`);
    }
  }
  if (target === undefined) fail('Name the folder to create the app in.');
  return { target: resolve(target), packs: packs === undefined ? undefined : resolve(packs) };
}

/** The tarball of each framework package in the folder (`serverless-hub-core-0.1.0.tgz` and so on). */
function tarballs(folder) {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) fail(`--packs: ${folder} is not a folder.`);
  const found = new Map();
  for (const name of FRAMEWORK_PACKAGES) {
    const prefix = `${name.slice(1).replace('/', '-')}-`;
    const file = readdirSync(folder).find(
      (entry) => entry.startsWith(prefix) && entry.endsWith('.tgz') && /^\d/.test(entry.slice(prefix.length)),
    );
    if (file === undefined)
      fail(
        `--packs: no ${prefix}<version>.tgz in ${folder}; run pnpm pack:packages in the framework's repository first.`,
      );
    found.set(name, `file:${join(folder, file)}`);
  }
  return found;
}

function copy(from, to, replace) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const destination = join(to, renamed.get(entry) ?? entry);
    if (statSync(source).isDirectory()) copy(source, destination, replace);
    else if (entry === 'package.json') writeFileSync(destination, replace(readFileSync(source, 'utf8')));
    else copyFileSync(source, destination);
  }
}

const { target, packs } = parse(process.argv.slice(2));
if (existsSync(target) && readdirSync(target).length > 0) fail(`${target} is not empty; choose a new folder.`);
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const name =
  basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '') || 'serverless-hub-app';
copy(template, target, (text) => text.replaceAll('{{name}}', name).replaceAll('{{version}}', `^${version}`));

if (packs !== undefined) {
  // Every framework tarball is named at once: npm then takes core's own dependency on decorators from the
  // tarball as well, and pnpm is told the same with overrides.
  const files = tarballs(packs);
  const manifestPath = join(target, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.dependencies['@serverless-hub/core'] = files.get('@serverless-hub/core');
  manifest.dependencies['@serverless-hub/decorators'] = files.get('@serverless-hub/decorators');
  manifest.devDependencies['@serverless-hub/emulator'] = files.get('@serverless-hub/emulator');
  manifest.pnpm = { overrides: Object.fromEntries(files) };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
// The settings of local runs, kept out of git; the example is what the repository keeps.
copyFileSync(join(target, 'local.settings.example.json'), join(target, 'local.settings.json'));

const shown = relative(process.cwd(), target) || '.';
process.stdout.write(`Created a Functions app with the hub "chat" in ${target}.

Next:
  cd ${shown}
  npm install
  npm test          # the hub's tests, with @serverless-hub/core/testing
  npm start         # the local SignalR emulator and this app: http://localhost:7071/api/chat/negotiate
  npm run dev       # the same from the TypeScript sources, without a build
`);
