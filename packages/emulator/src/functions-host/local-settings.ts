import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '@serverless-hub/core/upstream';
import { EmulatorError } from '../errors/emulator-error.js';

/**
 * The settings of a Functions app for local runs, as Core Tools reads them from
 * `local.settings.json`.
 *
 * @example
 * ```ts
 * const settings = await loadLocalSettings('./samples/chat');
 * applyLocalSettings(settings);
 * ```
 */
export interface LocalSettings {
  /** The file read, or `undefined` when the app has none. */
  readonly source: string | undefined;
  /** `Values`: app settings, set as environment variables. */
  readonly values: Readonly<Record<string, string>>;
  /** `ConnectionStrings`, set as `ConnectionStrings:<name>` environment variables. */
  readonly connectionStrings: Readonly<Record<string, string>>;
  /** `Host.LocalHttpPort`. */
  readonly localHttpPort: number | undefined;
  /** `Host.CORS`: `*` or a comma-separated list of origins. */
  readonly cors: string | undefined;
  /** `Host.CORSCredentials`. */
  readonly corsCredentials: boolean | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, section: string, source: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value))
    throw new EmulatorError('CONFIG_INVALID', `${source}: "${section}" must be an object of names and string values.`);
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string') result[name] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') result[name] = String(item);
    else if (item !== null)
      throw new EmulatorError('CONFIG_INVALID', `${source}: "${section}.${name}" must be a string.`);
  }
  return result;
}

/**
 * Parses the JSON of a `local.settings.json` file.
 *
 * @throws {EmulatorError} `CONFIG_INVALID` naming the field that is wrong.
 * @example
 * ```ts
 * parseLocalSettings('{"IsEncrypted":false,"Values":{"FUNCTIONS_WORKER_RUNTIME":"node"}}', 'local.settings.json');
 * ```
 */
export function parseLocalSettings(text: string, source: string): LocalSettings {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new EmulatorError('CONFIG_INVALID', `${source} is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  if (!isRecord(json)) throw new EmulatorError('CONFIG_INVALID', `${source} must hold a JSON object with "Values".`);
  if (json.IsEncrypted === true) {
    throw new EmulatorError(
      'CONFIG_INVALID',
      `${source} is encrypted; decrypt it first (Core Tools: func settings decrypt).`,
    );
  }
  const host = json.Host;
  if (host !== undefined && !isRecord(host))
    throw new EmulatorError('CONFIG_INVALID', `${source}: "Host" must be an object.`);
  const port = host?.LocalHttpPort;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new EmulatorError('CONFIG_INVALID', `${source}: "Host.LocalHttpPort" must be a port number.`);
  }
  const cors = host?.CORS;
  if (cors !== undefined && typeof cors !== 'string')
    throw new EmulatorError('CONFIG_INVALID', `${source}: "Host.CORS" must be a string such as "*".`);
  const credentials = host?.CORSCredentials;
  if (credentials !== undefined && typeof credentials !== 'boolean')
    throw new EmulatorError('CONFIG_INVALID', `${source}: "Host.CORSCredentials" must be true or false.`);
  return {
    source,
    values: stringMap(json.Values, 'Values', source),
    connectionStrings: stringMap(json.ConnectionStrings, 'ConnectionStrings', source),
    localHttpPort: port,
    cors,
    corsCredentials: credentials,
  };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmulatorError('CONFIG_INVALID', `Cannot read ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Reads an app's `local.settings.json`, or, when it has none (the file is not committed, as Core
 * Tools users expect), its `local.settings.example.json`; with neither, empty settings.
 *
 * @throws {EmulatorError} `CONFIG_INVALID` for a file that is not valid.
 * @example
 * ```ts
 * const settings = await loadLocalSettings(appDirectory);
 * console.log(settings.source ?? 'no local settings');
 * ```
 */
export async function loadLocalSettings(appDirectory: string): Promise<LocalSettings> {
  for (const name of ['local.settings.json', 'local.settings.example.json']) {
    const path = join(appDirectory, name);
    const text = await readIfPresent(path);
    if (text !== undefined) return parseLocalSettings(text, path);
  }
  return {
    source: undefined,
    values: {},
    connectionStrings: {},
    localHttpPort: undefined,
    cors: undefined,
    corsCredentials: undefined,
  };
}

/**
 * Sets the settings' `Values` (and `ConnectionStrings` as `ConnectionStrings:<name>`) as environment
 * variables, as Core Tools does. Variables already set in the environment win, so a value given on
 * the command line or by a dev script overrides the file.
 *
 * @returns the names that were set.
 * @example
 * ```ts
 * applyLocalSettings(await loadLocalSettings('.'));
 * process.env.AzureSignalRConnectionString; // from Values, unless already set
 * ```
 */
export function applyLocalSettings(settings: LocalSettings, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  const set = (name: string, value: string): void => {
    if (env[name] !== undefined) return;
    env[name] = value;
    applied.push(name);
  };
  for (const [name, value] of Object.entries(settings.values)) set(name, value);
  for (const [name, value] of Object.entries(settings.connectionStrings)) set(`ConnectionStrings:${name}`, value);
  return applied;
}
