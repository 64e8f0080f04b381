import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { EndpointHealthMonitor, HEALTH_CHECK_MAX_RETRIES } from './endpoint-health-monitor.js';
import { DEFAULT_ENDPOINT_HEALTH, resolveEndpointHealthOptions } from './endpoint-health-options.js';
import type { ResolvedEndpointHealthOptions } from './endpoint-health-options.js';
import type { EndpointProbe } from './endpoint-health-probe.js';

// The rules of Azure/azure-signalr src/Microsoft.Azure.SignalR.Management:
// - HubInstanceFactories/HealthCheckOptions.cs `HealthCheckOption`: CheckInterval 2 min, RetryInterval 3 s,
//   HttpTimeout 2 s;
// - HubInstanceFactories/RestHealthCheckService.cs: MaxRetries = 2 (3 attempts), RetryInterval between
//   them, `endpoint.Online = isHealthy` after the attempts (so a success brings an endpoint back), every
//   endpoint at once (Task.WhenAll), a round at start then every CheckInterval, and only when there is more
//   than one endpoint or one is offline;
// - ServiceEndpoint.Online starts true.

const KEY = 'SECRET-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';

function named(name: string): NamedServiceEndpoint {
  return {
    name,
    type: 'primary',
    endpoint: parseConnectionString(`Endpoint=http://${name}.local;Port=8080;AccessKey=${KEY};Version=1.0;`),
  };
}

/** A probe whose answers the test sets per endpoint name; it records each call. */
function scriptedProbe(): {
  probe: EndpointProbe;
  healthy: Map<string, boolean>;
  calls: string[];
} {
  const healthy = new Map<string, boolean>();
  const calls: string[] = [];
  const nameOf = (endpoint: ServiceEndpoint): string => new URL(endpoint.serverEndpoint).hostname.split('.')[0] ?? '';
  const probe: EndpointProbe = (endpoint) => {
    const name = nameOf(endpoint);
    calls.push(name);
    const ok = healthy.get(name) ?? true;
    return Promise.resolve({ healthy: ok, reason: ok ? 'HEAD /api/health answered 200' : 'connection refused' });
  };
  return { probe, healthy, calls };
}

const OPTIONS: ResolvedEndpointHealthOptions = {
  checkIntervalMs: 60_000,
  retryIntervalMs: 1_000,
  timeoutMs: 500,
  enabled: true,
};

describe('EndpointHealthMonitor', () => {
  let monitor: EndpointHealthMonitor | undefined;
  let lines: [string, string][];

  beforeEach(() => {
    vi.useFakeTimers();
    lines = [];
  });

  afterEach(() => {
    monitor?.dispose();
    monitor = undefined;
    vi.useRealTimers();
  });

  function start(
    names: readonly string[],
    script: ReturnType<typeof scriptedProbe>,
    options = OPTIONS,
  ): EndpointHealthMonitor {
    monitor = new EndpointHealthMonitor('chat', names.map(named), options, script.probe, (level, message) =>
      lines.push([level, message]),
    );
    monitor.start();
    return monitor;
  }

  const onlineOf = (m: EndpointHealthMonitor): Record<string, boolean> =>
    Object.fromEntries(m.endpoints.map(({ name, online }) => [name, online]));

  it('uses the official defaults: 2 min between rounds, 3 s between attempts, 2 s per probe, 3 attempts', () => {
    expect(DEFAULT_ENDPOINT_HEALTH).toEqual({
      checkIntervalMs: 120_000,
      retryIntervalMs: 3_000,
      timeoutMs: 2_000,
      enabled: true,
    });
    expect(HEALTH_CHECK_MAX_RETRIES).toBe(2);
  });

  it('probes every endpoint at start, all at once, and keeps healthy endpoints online', async () => {
    const script = scriptedProbe();
    const m = start(['e1', 'e2', 'e3'], script);
    // The round starts synchronously: every endpoint is probed before any retry wait.
    expect(script.calls).toEqual(['e1', 'e2', 'e3']);
    await vi.advanceTimersByTimeAsync(0);
    expect(m.rounds).toBe(1);
    expect(onlineOf(m)).toEqual({ e1: true, e2: true, e3: true });
    expect(lines).toEqual([]);
  });

  it('marks an endpoint offline only after 3 failed attempts a retry interval apart, with one log line', async () => {
    const script = scriptedProbe();
    script.healthy.set('e2', false);
    const m = start(['e1', 'e2'], script);
    await vi.advanceTimersByTimeAsync(OPTIONS.retryIntervalMs - 1);
    expect(script.calls.filter((name) => name === 'e2')).toHaveLength(1);
    expect(onlineOf(m).e2).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(script.calls.filter((name) => name === 'e2')).toHaveLength(2);
    expect(onlineOf(m).e2).toBe(true);
    await vi.advanceTimersByTimeAsync(OPTIONS.retryIntervalMs);
    expect(script.calls.filter((name) => name === 'e2')).toHaveLength(3);
    expect(onlineOf(m)).toEqual({ e1: true, e2: false });
    // The healthy endpoint was probed once: retries are per endpoint.
    expect(script.calls.filter((name) => name === 'e1')).toHaveLength(1);
    expect(lines).toHaveLength(1);
    const [level, message] = lines[0] ?? ['', ''];
    expect(level).toBe('error');
    expect(message).toContain("Service endpoint 'e2' (http://e2.local:8080) of hub 'chat' is offline");
    expect(message).toContain('connection refused');
    expect(message).not.toContain(KEY);
  });

  it('keeps an endpoint online when a retry succeeds', async () => {
    const script = scriptedProbe();
    script.healthy.set('e2', false);
    const m = start(['e1', 'e2'], script);
    await vi.advanceTimersByTimeAsync(0);
    script.healthy.set('e2', true);
    await vi.advanceTimersByTimeAsync(OPTIONS.retryIntervalMs);
    expect(script.calls.filter((name) => name === 'e2')).toHaveLength(2);
    expect(m.rounds).toBe(1);
    expect(onlineOf(m).e2).toBe(true);
    expect(lines).toEqual([]);
  });

  it('runs a round every check interval after the previous one, and brings an endpoint back online', async () => {
    const script = scriptedProbe();
    script.healthy.set('e1', false);
    const m = start(['e1', 'e2'], script);
    await vi.advanceTimersByTimeAsync(2 * OPTIONS.retryIntervalMs);
    expect(m.rounds).toBe(1);
    expect(onlineOf(m).e1).toBe(false);

    script.healthy.set('e1', true);
    await vi.advanceTimersByTimeAsync(OPTIONS.checkIntervalMs - 1);
    expect(m.rounds).toBe(1);
    expect(onlineOf(m).e1).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(m.rounds).toBe(2);
    expect(onlineOf(m).e1).toBe(true);
    expect(lines.map(([level]) => level)).toEqual(['error', 'info']);
    expect(lines[1]?.[1]).toBe(
      "Service endpoint 'e1' (http://e1.local:8080) of hub 'chat' is online again: HEAD /api/health answered 200.",
    );

    // Nothing changes: no line.
    await vi.advanceTimersByTimeAsync(OPTIONS.checkIntervalMs);
    expect(m.rounds).toBe(3);
    expect(lines).toHaveLength(2);
  });

  it('does not probe a single endpoint', async () => {
    const script = scriptedProbe();
    script.healthy.set('e1', false);
    const m = start(['e1'], script);
    await vi.advanceTimersByTimeAsync(3 * OPTIONS.checkIntervalMs);
    expect(script.calls).toEqual([]);
    // Rounds at 0, 1, 2 and 3 intervals, each skipped.
    expect(m.rounds).toBe(4);
    expect(onlineOf(m).e1).toBe(true);
  });

  it('treats a probe that throws as a failed attempt', async () => {
    const calls: string[] = [];
    const throwing: EndpointProbe = (endpoint) => {
      calls.push(endpoint.serverEndpoint);
      return Promise.reject(new Error('probe broke'));
    };
    monitor = new EndpointHealthMonitor('chat', [named('e1'), named('e2')], OPTIONS, throwing, (level, message) =>
      lines.push([level, message]),
    );
    monitor.start();
    await vi.advanceTimersByTimeAsync(2 * OPTIONS.retryIntervalMs);
    expect(calls).toHaveLength(6);
    expect(onlineOf(monitor)).toEqual({ e1: false, e2: false });
    expect(lines.map(([, message]) => message).join('\n')).toContain('probe broke');
  });

  it('stops on dispose: no further attempt or round, and no change from the round under way', async () => {
    const script = scriptedProbe();
    script.healthy.set('e2', false);
    const m = start(['e1', 'e2'], script);
    await vi.advanceTimersByTimeAsync(OPTIONS.retryIntervalMs);
    m.dispose();
    const probed = script.calls.length;
    await vi.advanceTimersByTimeAsync(5 * OPTIONS.checkIntervalMs);
    expect(script.calls).toHaveLength(probed);
    expect(onlineOf(m).e2).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing when disabled', async () => {
    const script = scriptedProbe();
    script.healthy.set('e2', false);
    const m = start(['e1', 'e2'], script, { ...OPTIONS, enabled: false });
    await vi.advanceTimersByTimeAsync(5 * OPTIONS.checkIntervalMs);
    expect(script.calls).toEqual([]);
    expect(onlineOf(m)).toEqual({ e1: true, e2: true });
  });

  it('keeps no process alive: its timers are unref()ed', async () => {
    vi.useRealTimers();
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const script = scriptedProbe();
    script.healthy.set('e2', false);
    const m = start(['e1', 'e2'], script, { ...OPTIONS, retryIntervalMs: 60_000 });
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
    const timers = timeout.mock.results.map(({ value }) => value as NodeJS.Timeout);
    timeout.mockRestore();
    // The retry wait of e2 is pending.
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.map((timer) => timer.hasRef())).toEqual(timers.map(() => false));
    m.dispose();
  });
});

describe('resolveEndpointHealthOptions', () => {
  it('fills in the defaults and keeps given values', () => {
    expect(resolveEndpointHealthOptions(undefined, 'x')).toBe(DEFAULT_ENDPOINT_HEALTH);
    expect(resolveEndpointHealthOptions({ checkIntervalMs: 500 }, 'x')).toEqual({
      ...DEFAULT_ENDPOINT_HEALTH,
      checkIntervalMs: 500,
    });
    expect(resolveEndpointHealthOptions({ enabled: false }, 'x').enabled).toBe(false);
  });

  it.each([
    [null, /pass an object/],
    [{ checkInterval: 5 }, /unknown option "checkInterval"/],
    [{ checkIntervalMs: 0 }, /checkIntervalMs must be whole milliseconds/],
    [{ retryIntervalMs: 1.5 }, /retryIntervalMs must be whole milliseconds/],
    [{ timeoutMs: '2000' }, /timeoutMs must be whole milliseconds/],
    [{ checkIntervalMs: 2 ** 31 }, /from 1 to 2147483647/],
    [{ enabled: 'yes' }, /enabled must be true or false/],
  ])('refuses %j with a message naming the option', (options, message) => {
    expect(() => resolveEndpointHealthOptions(options, 'registerHubs endpointHealth')).toThrow(message);
  });
});
