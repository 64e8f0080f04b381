import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors/emulator-error.js';
import { FunctionIndex } from './function-index.js';
import type { RegisteredFunction, RpcBindingInfo } from './functions-core-contract.js';

function fn(
  name: string,
  trigger: RpcBindingInfo,
  extra: Record<string, RpcBindingInfo> = { $return: { type: 'http', direction: 'out' } },
): RegisteredFunction {
  return {
    metadata: { name, bindings: { trigger: { direction: 'in', ...trigger }, ...extra } },
    callback: () => undefined,
  };
}

describe('FunctionIndex', () => {
  it('serves HTTP functions by route (literal before parameters), the webhook for signalRTrigger, and lists the rest', () => {
    const index = new FunctionIndex(
      [
        fn('byName', { type: 'httpTrigger', route: 'things/{name}', methods: ['get'] }),
        fn('special', { type: 'httpTrigger', route: 'things/special' }),
        fn('defaultRoute', { type: 'httpTrigger' }),
        fn('ping', { type: 'signalRTrigger', hubName: 'chat' }, {}),
        fn('tick', { type: 'timerTrigger', schedule: '* * * * * *' }, {}),
      ],
      'api',
    );
    expect(index.http.map((entry) => entry.name)).toEqual(['special', 'byName', 'defaultRoute']);
    expect(index.http.find((entry) => entry.name === 'byName')?.methods).toEqual(new Set(['GET']));
    expect(index.http.find((entry) => entry.name === 'special')?.methods).toBeUndefined();
    expect(index.http[0]?.outputName).toBe('$return');
    expect(index.signalR.map((entry) => entry.metadata.name)).toEqual(['ping']);
    expect(index.listed).toEqual([
      { name: 'byName', trigger: 'httpTrigger', methods: ['GET'], path: '/api/things/{name}' },
      { name: 'special', trigger: 'httpTrigger', methods: ['*'], path: '/api/things/special' },
      { name: 'defaultRoute', trigger: 'httpTrigger', methods: ['*'], path: '/api/defaultRoute' },
      { name: 'ping', trigger: 'signalRTrigger', methods: ['POST'], path: '/runtime/webhooks/signalr' },
      { name: 'tick', trigger: 'timerTrigger', methods: [], path: undefined },
    ]);
  });

  it('refuses routes that start with admin, as the Functions host does at start-up', () => {
    for (const route of ['admin', 'Admin/x', '/administration/tools']) {
      const build = (): FunctionIndex => new FunctionIndex([fn('tools', { type: 'httpTrigger', route })], 'api');
      expect(build).toThrow(EmulatorError);
      expect(build).toThrow('The specified route conflicts with one or more built in routes.');
    }
    expect(() => new FunctionIndex([fn('admin', { type: 'httpTrigger' })], 'api')).toThrow(/route 'admin'/);
    expect(new FunctionIndex([fn('tools', { type: 'httpTrigger', route: 'tools/admin' })], 'api').http).toHaveLength(1);
  });

  it('refuses a function without a trigger binding', () => {
    expect(
      () => new FunctionIndex([{ metadata: { name: 'lost', bindings: {} }, callback: () => undefined }], 'api'),
    ).toThrow(/lost has no trigger binding/);
  });
});
