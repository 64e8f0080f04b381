import { describeValue } from '../errors/describe-value.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * How the service endpoints of a hub with several of them are health-checked. The defaults are those of
 * the official Management SDK (Azure/azure-signalr `HealthCheckOption`); change them to react faster, or
 * in tests. `enabled: false` turns the checks off: every endpoint then stays online.
 *
 * @example
 * ```ts
 * registerHubs(app, [Chat], { endpointHealth: { checkIntervalMs: 30_000 } });
 * ```
 */
export interface EndpointHealthOptions {
  /** Time between two rounds of checks, in milliseconds. Default 120 000 (2 minutes). */
  readonly checkIntervalMs?: number;
  /** Wait between two attempts on a failing endpoint, in milliseconds. Default 3 000. */
  readonly retryIntervalMs?: number;
  /** Time limit of one probe (`HEAD /api/health`), in milliseconds. Default 2 000. */
  readonly timeoutMs?: number;
  /** `false` turns the checks off. Default `true`. */
  readonly enabled?: boolean;
}

/** {@link EndpointHealthOptions} with every value set. Internal. */
export interface ResolvedEndpointHealthOptions {
  readonly checkIntervalMs: number;
  readonly retryIntervalMs: number;
  readonly timeoutMs: number;
  readonly enabled: boolean;
}

/** The official defaults (Azure/azure-signalr `HealthCheckOption`). */
export const DEFAULT_ENDPOINT_HEALTH: ResolvedEndpointHealthOptions = Object.freeze({
  checkIntervalMs: 120_000,
  retryIntervalMs: 3_000,
  timeoutMs: 2_000,
  enabled: true,
});

// Node's timers take at most 2^31 - 1 ms.
const MAX_DELAY_MS = 2_147_483_647;

const OPTION_NAMES: ReadonlySet<string> = new Set(['checkIntervalMs', 'retryIntervalMs', 'timeoutMs', 'enabled']);

function invalid(where: string, message: string): ServerlessHubError {
  return new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', `${where}: ${message}`);
}

/**
 * Checks the options (they may come from JavaScript) and fills in the defaults.
 *
 * @throws {@link ServerlessHubError} `NEGOTIATE_OPTIONS_INVALID` naming the option and what it takes.
 */
export function resolveEndpointHealthOptions(options: unknown, where: string): ResolvedEndpointHealthOptions {
  if (options === undefined) return DEFAULT_ENDPOINT_HEALTH;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalid(where, 'pass an object such as { checkIntervalMs: 30000 }.');
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key))
      throw invalid(where, `unknown option "${key}" (known: ${[...OPTION_NAMES].join(', ')}).`);
  }
  const milliseconds = (name: 'checkIntervalMs' | 'retryIntervalMs' | 'timeoutMs'): number => {
    const value = given[name];
    if (value === undefined) return DEFAULT_ENDPOINT_HEALTH[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DELAY_MS) {
      throw invalid(
        where,
        `${name} must be whole milliseconds from 1 to ${String(MAX_DELAY_MS)}, got ${describeValue(value)}.`,
      );
    }
    return value;
  };
  const enabled = given['enabled'];
  if (enabled !== undefined && typeof enabled !== 'boolean')
    throw invalid(where, `enabled must be true or false, got ${describeValue(enabled)}.`);
  return Object.freeze({
    checkIntervalMs: milliseconds('checkIntervalMs'),
    retryIntervalMs: milliseconds('retryIntervalMs'),
    timeoutMs: milliseconds('timeoutMs'),
    enabled: enabled !== false,
  });
}
