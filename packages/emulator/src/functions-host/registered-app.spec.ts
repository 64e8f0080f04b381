// The rules of the Functions Node.js worker's registerFunction and registerHook (Azure/azure-functions-nodejs-worker,
// src/coreApi/registerFunction.ts and src/hooks/registerHook.ts).
import { describe, expect, it } from 'vitest';
import { RegisteredApp } from './registered-app.js';

const metadata = (name: string, functionId?: string) => ({
  name,
  bindings: {},
  ...(functionId === undefined ? {} : { functionId }),
});

describe('RegisteredApp', () => {
  it('keeps functions in registration order, by function id (or name), refusing a second one with the same id', () => {
    const app = new RegisteredApp();
    app.registerFunction(metadata('a'), () => undefined);
    app.registerFunction(metadata('b', 'id-b'), () => undefined);
    expect(() => app.registerFunction(metadata('a'), () => undefined)).toThrow(
      'A function with id "a" has already been registered.',
    );
    expect(app.functions.map((fn) => fn.metadata.name)).toEqual(['a', 'b']);
  });

  it('lets a registration be undone until the app is locked; then neither registering nor undoing works', () => {
    const app = new RegisteredApp();
    app.registerFunction(metadata('gone'), () => undefined).dispose();
    const kept = app.registerFunction(metadata('kept'), () => undefined);
    app.lock();
    expect(app.functions.map((fn) => fn.metadata.name)).toEqual(['kept']);
    expect(() => app.registerFunction(metadata('late'), () => undefined)).toThrow(
      'A function can only be registered during app startup.',
    );
    expect(() => {
      kept.dispose();
    }).toThrow('A function can only be disposed during app startup.');
  });

  it('keeps hooks per name and refuses unknown hook names with a RangeError', () => {
    const app = new RegisteredApp();
    const first = (): void => undefined;
    const second = (): void => undefined;
    const registration = app.registerHook('preInvocation', first);
    app.registerHook('preInvocation', second);
    registration.dispose();
    registration.dispose();
    expect(app.hooksOf('preInvocation')).toEqual([second]);
    expect(app.hooksOf('appStart')).toEqual([]);
    expect(() => app.registerHook('log', first)).toThrow(RangeError);
  });

  it('refuses registrations that are not what @azure/functions sends', () => {
    const app = new RegisteredApp();
    expect(() => app.registerFunction({ name: 'x' } as never, () => undefined)).toThrow(
      /metadata with a name and bindings/,
    );
    expect(() => app.registerFunction(metadata('x'), 'handler' as never)).toThrow(/handler function/);
  });
});
