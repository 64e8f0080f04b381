import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '@serverless-hub/core/upstream';
import { EmulatorError } from '../errors/emulator-error.js';

/**
 * Where an Azure Functions app lives: its folder (with `host.json`, `local.settings.json`) and the
 * entry file that registers its functions.
 *
 * @example
 * ```ts
 * const app = await resolveApp('samples/chat');
 * app.entry; // '/…/samples/chat/dist/index.js' (package.json "main")
 * ```
 */
export interface AppLocation {
  readonly directory: string;
  readonly entry: string;
  /** `extensions.http.routePrefix` of `host.json`, default `api`. */
  readonly routePrefix: string;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch (error) {
    throw new EmulatorError('CONFIG_INVALID', `${path} is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
}

function appDirectoryOf(file: string): string {
  let directory = dirname(file);
  for (;;) {
    if (existsSync(join(directory, 'host.json')) || existsSync(join(directory, 'package.json'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return dirname(file);
    directory = parent;
  }
}

/**
 * Finds an app from a folder (its `package.json` `main`, as the Functions host loads it) or an entry file.
 *
 * @throws {EmulatorError} `APP_LOAD_FAILED` when the folder or file does not exist or names no entry.
 * @example
 * ```ts
 * const app = await resolveApp(process.argv[3] ?? '.');
 * ```
 */
export async function resolveApp(appPath: string): Promise<AppLocation> {
  const absolute = resolve(appPath);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new EmulatorError(
      'APP_LOAD_FAILED',
      `The app '${appPath}' does not exist: give the app's folder or its entry file.`,
    );
  }
  let directory: string;
  let entry: string;
  if (info.isDirectory()) {
    directory = absolute;
    const main = (await readJson(join(directory, 'package.json')))?.main;
    if (typeof main !== 'string' || main === '') {
      throw new EmulatorError(
        'APP_LOAD_FAILED',
        `${join(directory, 'package.json')} has no "main": set it to the file that registers the functions, or give that file.`,
      );
    }
    entry = resolve(directory, main);
    if (!existsSync(entry)) {
      throw new EmulatorError(
        'APP_LOAD_FAILED',
        `The app's entry ${entry} (package.json "main") does not exist: build the app first, or give its source entry file.`,
      );
    }
  } else {
    entry = absolute;
    directory = appDirectoryOf(entry);
  }
  const hostJson = await readJson(join(directory, 'host.json'));
  const extensions = hostJson?.extensions as { http?: { routePrefix?: unknown } } | undefined;
  const routePrefix = typeof extensions?.http?.routePrefix === 'string' ? extensions.http.routePrefix : 'api';
  return { directory, entry, routePrefix };
}

/**
 * Finds the ES module entry of the app's own `tsx` (`tsx/esm/api`, its `import` condition), from the
 * app's folder: resolving it with `require` would give tsx's CommonJS build.
 */
async function tsxEsmApi(app: AppLocation): Promise<string> {
  let manifestPath: string;
  try {
    manifestPath = createRequire(app.entry).resolve('tsx/package.json');
  } catch {
    throw new EmulatorError(
      'APP_LOAD_FAILED',
      `Loading the TypeScript entry ${app.entry} needs tsx in the app's dependencies (npm install --save-dev tsx); or build the app and give its JavaScript entry.`,
    );
  }
  const manifest = await readJson(manifestPath);
  const exported = (manifest?.exports as Record<string, unknown> | undefined)?.['./esm/api'];
  const target = importTarget(exported);
  if (target === undefined)
    throw new EmulatorError(
      'APP_LOAD_FAILED',
      `The app's tsx (${manifestPath}) has no "./esm/api" export; install tsx 4 or later.`,
    );
  return pathToFileURL(resolve(dirname(manifestPath), target)).href;
}

function importTarget(exported: unknown): string | undefined {
  if (typeof exported === 'string') return exported;
  if (typeof exported !== 'object' || exported === null) return undefined;
  const conditions = exported as Record<string, unknown>;
  return importTarget(conditions.import ?? conditions.default);
}

/**
 * Imports the app's entry so that it registers its functions. A TypeScript entry is loaded through
 * the app's own `tsx` as an ES module (no `--import` flag needed).
 *
 * @throws {EmulatorError} `APP_LOAD_FAILED` with the reason.
 * @example
 * ```ts
 * await loadApp(await resolveApp('samples/chat'));
 * ```
 */
export async function loadApp(app: AppLocation): Promise<void> {
  const extension = extname(app.entry).toLowerCase();
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') {
    const tsx = (await import(await tsxEsmApi(app))) as { register: () => unknown };
    tsx.register();
  }
  try {
    await import(pathToFileURL(app.entry).href);
  } catch (error) {
    throw new EmulatorError('APP_LOAD_FAILED', `Loading the app ${app.entry} failed: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
