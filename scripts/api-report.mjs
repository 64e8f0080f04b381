// Writes or checks the API report of every entry point of the published packages.
// Usage: node scripts/api-report.mjs --check | --update
//
// Each subpath of a package's `exports` map (`.`, `./testing`, ...) has a report in that package's api/
// folder (`.` is index.api.md, `./testing` is testing.api.md), made by API Extractor. Reviewers read an
// API change as a diff of that file, and --check (part of `pnpm lint`) fails when the exported API
// differs from the file, so no export is added, removed or changed by accident.
//
// The reports come from the sources, never from dist (which may be missing or stale): one TypeScript
// program emits the declarations of all entry points (resolved through their `source` condition) into a
// temporary folder, and one API Extractor program reads them all. Nothing depends on the order of
// files on disk, the time or the machine, so the same sources give the same reports.
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const mode = process.argv[2];
if (mode !== '--check' && mode !== '--update') {
  console.error('Usage: node scripts/api-report.mjs --check | --update');
  process.exit(2);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Not under node_modules: API Extractor takes every file there for another package's.
const work = mkdtempSync(join(tmpdir(), 'serverless-hub-api-report-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const declarations = join(work, 'declarations');
const scratch = join(work, 'reports');

/** Every entry point with types in the exports maps of packages/*, in a fixed order. */
function entryPoints() {
  const entries = [];
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target !== 'object' || target === null || typeof target.source !== 'string') continue;
      if (!target.source.endsWith('.ts'))
        throw new Error(
          `${manifest.name} exports "${subpath}" from ${target.source}, which is not a TypeScript source.`,
        );
      const name = subpath === '.' ? 'index' : subpath.replace(/^\.\//, '').replaceAll('/', '-');
      const packageFolder = join(root, 'packages', folder);
      const source = resolve(packageFolder, target.source);
      entries.push({
        packageName: manifest.name,
        specifier: subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`,
        subpath,
        packageFolder,
        manifestPath,
        source,
        declaration: join(declarations, relative(root, source)).replace(/\.ts$/, '.d.ts'),
        report: join(packageFolder, 'api', `${name}.api.md`),
      });
    }
  }
  return entries;
}

/** Emits the declarations of all entry points (and what they import) from the sources, or throws. */
function emitDeclarations(entries) {
  const base = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.base.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  const options = {
    ...base.options,
    // Workspace packages resolve to their sources, as in the type check and the tests.
    customConditions: ['source'],
    rootDir: root,
    outDir: declarations,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
  };
  const program = ts.createProgram({ rootNames: entries.map((entry) => entry.source), options });
  const emitted = program.emit();
  // Type errors are the type check's business (`pnpm typecheck`); what stops a faithful report is
  // syntax, options, unresolved modules and what the declaration emit itself cannot write.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...emitted.diagnostics,
  ];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(
      `The sources do not compile, so their API cannot be reported:\n${ts.formatDiagnostics(diagnostics, host)}`,
    );
  }
  // The declarations import the packages' dependencies, which resolve from where the sources are.
  symlinkSync(join(root, 'node_modules'), join(declarations, 'node_modules'), 'dir');
  for (const folder of new Set(entries.map((entry) => entry.packageFolder))) {
    if (existsSync(join(folder, 'node_modules')))
      symlinkSync(join(folder, 'node_modules'), join(declarations, relative(root, folder), 'node_modules'), 'dir');
  }
  for (const entry of entries) {
    if (!existsSync(entry.declaration))
      throw new Error(`No declarations were emitted for ${entry.specifier} (${relative(root, entry.source)}).`);
  }
}

function extractorConfig(entry, entries) {
  // Imports of the workspace packages resolve to the declarations just emitted, never to dist.
  const paths = Object.fromEntries(entries.map((other) => [other.specifier, [other.declaration]]));
  return ExtractorConfig.prepare({
    configObjectFullPath: join(entry.packageFolder, 'api-extractor.json'),
    packageJsonFullPath: entry.manifestPath,
    configObject: {
      projectFolder: entry.packageFolder,
      mainEntryPointFilePath: entry.declaration,
      newlineKind: 'lf',
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            types: ['node'],
            strict: true,
            skipLibCheck: true,
            paths,
          },
          files: entries.map((other) => other.declaration),
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: relative(join(entry.packageFolder, 'api'), entry.report).replace(/\.api\.md$/, ''),
        // API Extractor writes the report it made to the temp folder and compares it with the one in
        // reportFolder; the comparison and the update are done below instead, so both are scratch.
        reportFolder: join(scratch, 'unused'),
        reportTempFolder: join(scratch, relative(root, entry.packageFolder)),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // What the analysis finds about the API itself (e.g. an exported signature that uses a type the
        // entry point does not export) is written into the report, where a review sees it.
        extractorMessageReporting: {
          default: { logLevel: 'none', addToApiReportFile: true },
          // Release tags (@public, @beta) are not used: what an entry point exports is public.
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // Whether each member has TSDoc is a review matter; the report already marks them "(undocumented)".
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        },
        // The report is about the API's shape; TSDoc syntax is the lint's business.
        tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
        compilerMessageReporting: { default: { logLevel: 'error' } },
      },
    },
  });
}

const started = performance.now();
const entries = entryPoints();
try {
  emitDeclarations(entries);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

mkdirSync(join(scratch, 'unused'), { recursive: true });
const configs = entries.map((entry) => extractorConfig(entry, entries));
// One program for all entry points: analysing them one by one would compile the same files again each time.
const compilerState = CompilerState.create(configs[0], {
  additionalEntryPoints: entries.map((entry) => entry.declaration),
});

// API Extractor's own comparison with the scratch reportFolder; the real one is done below.
const IGNORED = new Set([
  'console-api-report-created',
  'console-api-report-copied',
  'console-api-report-changed',
  'console-api-report-unchanged',
]);
const problems = [];
const changed = [];
for (const [index, entry] of entries.entries()) {
  const result = Extractor.invoke(configs[index], {
    localBuild: true,
    compilerState,
    messageCallback: (message) => {
      message.handled = true;
      if (IGNORED.has(message.messageId)) return;
      if (message.logLevel === 'error' || message.logLevel === 'warning')
        problems.push(`${entry.specifier}: ${message.formatMessageWithLocation(root)}`);
    },
  });
  if (!result.succeeded)
    problems.push(
      `${entry.specifier}: API Extractor failed (${result.errorCount} errors, ${result.warningCount} warnings).`,
    );
  const made = readFileSync(
    join(scratch, relative(root, entry.packageFolder), relative(join(entry.packageFolder, 'api'), entry.report)),
    'utf8',
  )
    // API Extractor names the package; a subpath's report names the subpath.
    .replace(/^## API Report File for "[^"]*"/, `## API Report File for "${entry.specifier}"`)
    // Messages name the emitted declaration files; name them by their place in the repository instead.
    .replaceAll(`${declarations}/`, '');
  const kept = existsSync(entry.report) ? readFileSync(entry.report, 'utf8') : undefined;
  if (made === kept) continue;
  changed.push(relative(root, entry.report));
  if (mode === '--update') {
    mkdirSync(dirname(entry.report), { recursive: true });
    writeFileSync(entry.report, made);
  } else {
    console.error(
      `${relative(root, entry.report)} ${kept === undefined ? 'is missing' : 'differs from the API of'} ${entry.specifier}:`,
    );
    const diff = (kept === undefined ? made : lineDiff(kept, made)).split('\n');
    console.error(diff.slice(0, 200).join('\n'));
    if (diff.length > 200)
      console.error(`… and ${diff.length - 200} more lines (run \`pnpm api:update\` and see git diff).`);
  }
}

// A report whose entry point is gone from the exports map would otherwise stay and mislead.
const expected = new Set(entries.map((entry) => entry.report));
for (const folder of readdirSync(join(root, 'packages')).sort()) {
  const apiFolder = join(root, 'packages', folder, 'api');
  if (!existsSync(apiFolder)) continue;
  for (const file of readdirSync(apiFolder).filter((name) => name.endsWith('.api.md'))) {
    const report = join(apiFolder, file);
    if (expected.has(report)) continue;
    changed.push(relative(root, report));
    if (mode === '--update') rmSync(report);
    else console.error(`${relative(root, report)} reports an entry point that no package exports any more.`);
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
if (mode === '--check' && changed.length > 0) {
  console.error(
    `\nThe exported API differs from ${changed.length} checked-in API report(s). If the change is intended, run \`pnpm api:update\` and commit the reports with it.`,
  );
  process.exit(1);
}
console.log(
  mode === '--update'
    ? `API reports: ${changed.length === 0 ? 'all up to date' : `updated ${changed.join(', ')}`} (${entries.length} entry points, ${seconds} s).`
    : `API reports match the exported API of ${entries.length} entry points (${seconds} s).`,
);

/** The lines that differ between two reports, `-` kept and `+` made, with a line of context each side. */
function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table; reports are a few thousand lines at most.
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i] });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) {
      lines.push({ mark: '+', text: b[j] });
      j++;
    } else {
      lines.push({ mark: '-', text: a[i] });
      i++;
    }
  }
  const near = (index) => lines[index] !== undefined && lines[index].mark !== ' ';
  const shown = lines.filter((line, index) => line.mark !== ' ' || near(index - 1) || near(index + 1));
  return shown.map((line) => `${line.mark} ${line.text}`).join('\n');
}
