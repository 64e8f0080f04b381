import { readFile } from 'node:fs/promises';
import { errorMessage } from '@serverless-hub/core/upstream';
import { EmulatorError } from '../errors/emulator-error.js';

/**
 * One upstream URL template, as the official emulator's `settings.json` and the service's upstream
 * settings write it. Patterns are `*` (anything), a comma-separated list, or one name.
 *
 * @example
 * ```ts
 * const chatOnly: UpstreamTemplate = {
 *   urlTemplate: 'http://127.0.0.1:7071/api/{hub}/{category}/{event}',
 *   hubPattern: 'chat', categoryPattern: '*', eventPattern: '*',
 * };
 * const emulator = createServiceEmulator({ port: 0, upstream: [chatOnly] });
 * ```
 */
export interface UpstreamTemplate {
  /** URL with `{hub}`, `{category}` and `{event}` placeholders (replaced URI-escaped). */
  readonly urlTemplate: string;
  readonly hubPattern?: string;
  readonly categoryPattern?: string;
  readonly eventPattern?: string;
}

/**
 * The default upstream of the emulator: the HTTP functions that `registerHubs` creates, served by a
 * local functions host on port 7071.
 *
 * @example
 * ```ts
 * createServiceEmulator({ upstream: [{ urlTemplate: DEFAULT_UPSTREAM_URL_TEMPLATE }] });
 * ```
 */
export const DEFAULT_UPSTREAM_URL_TEMPLATE = 'http://127.0.0.1:7071/api/{hub}/{category}/{event}';

function field(record: Record<string, unknown>, name: string): unknown {
  // The official file uses PascalCase; accept any letter case as .NET configuration binding does.
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalPattern(record: Record<string, unknown>, name: string, where: string): string | undefined {
  const value = field(record, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new EmulatorError(
      'CONFIG_INVALID',
      `${where}: ${name} must be '*', a name or a comma-separated list of names.`,
    );
  }
  return value;
}

/**
 * Checks that a URL template gives an absolute http(s) URL once its placeholders are replaced.
 *
 * @throws {EmulatorError} `CONFIG_INVALID` naming the template.
 * @example
 * ```ts
 * validateUrlTemplate('http://127.0.0.1:7071/api/{hub}/{category}/{event}', 'settings.json');
 * ```
 */
export function validateUrlTemplate(urlTemplate: string, where: string): void {
  const sample = urlTemplate.replace(/\{(hub|category|event)\}/gi, 'x');
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    throw new EmulatorError('CONFIG_INVALID', `${where}: UrlTemplate '${urlTemplate}' is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EmulatorError('CONFIG_INVALID', `${where}: UrlTemplate '${urlTemplate}' must use http or https.`);
  }
}

/**
 * Reads upstream templates from the official emulator's settings shape:
 * `{ "UpstreamSettings": { "Templates": [{ "UrlTemplate", "HubPattern", "CategoryPattern", "EventPattern" }] } }`.
 *
 * @param settings the parsed JSON.
 * @param source names the file in error messages.
 * @throws {EmulatorError} `CONFIG_INVALID` naming the template and field that is wrong.
 * @example
 * ```ts
 * const templates = parseUpstreamSettings(JSON.parse(text), 'settings.json');
 * ```
 */
export function parseUpstreamSettings(settings: unknown, source: string): UpstreamTemplate[] {
  if (!isRecord(settings))
    throw new EmulatorError('CONFIG_INVALID', `${source}: expected a JSON object with "UpstreamSettings".`);
  const upstream = field(settings, 'UpstreamSettings');
  if (upstream === undefined) return [];
  if (!isRecord(upstream))
    throw new EmulatorError('CONFIG_INVALID', `${source}: "UpstreamSettings" must be an object with "Templates".`);
  const templates = field(upstream, 'Templates');
  if (templates === undefined || templates === null) return [];
  if (!Array.isArray(templates))
    throw new EmulatorError('CONFIG_INVALID', `${source}: "UpstreamSettings.Templates" must be an array.`);
  return templates.map((item: unknown, index) => {
    const where = `${source}: UpstreamSettings.Templates[${index}]`;
    if (!isRecord(item)) throw new EmulatorError('CONFIG_INVALID', `${where} must be an object.`);
    const urlTemplate = field(item, 'UrlTemplate');
    if (typeof urlTemplate !== 'string' || urlTemplate === '') {
      throw new EmulatorError(
        'CONFIG_INVALID',
        `${where}: UrlTemplate is required (e.g. "${DEFAULT_UPSTREAM_URL_TEMPLATE}").`,
      );
    }
    validateUrlTemplate(urlTemplate, where);
    const template: { -readonly [K in keyof UpstreamTemplate]: UpstreamTemplate[K] } = { urlTemplate };
    const hubPattern = optionalPattern(item, 'HubPattern', where);
    const categoryPattern = optionalPattern(item, 'CategoryPattern', where);
    const eventPattern = optionalPattern(item, 'EventPattern', where);
    if (hubPattern !== undefined) template.hubPattern = hubPattern;
    if (categoryPattern !== undefined) template.categoryPattern = categoryPattern;
    if (eventPattern !== undefined) template.eventPattern = eventPattern;
    return template;
  });
}

/**
 * Reads and parses an upstream settings file (see {@link parseUpstreamSettings}).
 *
 * @throws {EmulatorError} `CONFIG_INVALID` when the file is missing, not JSON, or malformed.
 * @example
 * ```ts
 * const templates = await loadUpstreamSettings('./settings.json');
 * ```
 */
export async function loadUpstreamSettings(path: string): Promise<UpstreamTemplate[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmulatorError(
      'CONFIG_INVALID',
      `Cannot read the upstream settings file '${path}': ${errorMessage(error)}`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new EmulatorError(
      'CONFIG_INVALID',
      `The upstream settings file '${path}' is not valid JSON: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return parseUpstreamSettings(json, path);
}
