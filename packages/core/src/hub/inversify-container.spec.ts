// Hubs and filters resolved from an inversify container, and proof that without one inversify is never
// imported. Lives beside the code because `inversify` is a dependency of this package only.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Container, inject, injectable } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { Hub, ServerlessHub, UseFilters } from '../index.js';
import type { HubContainer, HubFilter, HubInvocationContext } from '../index.js';
import { createHubTestBed } from '../testing/index.js';
import type { HubTestBed } from '../testing/index.js';

@injectable()
class MessageStore {
  readonly saved: string[] = [];
  save(text: string): number {
    this.saved.push(text);
    return this.saved.length;
  }
}

@injectable()
class BannedUsers implements HubFilter {
  constructor(@inject(MessageStore) private readonly store: MessageStore) {}
  canActivate(context: HubInvocationContext): boolean {
    this.store.save(`checked ${context.userId ?? 'anonymous'}`);
    return context.userId !== 'mallory';
  }
}

let hubInstances = 0;

@injectable()
@Hub('stored')
@UseFilters(BannedUsers)
class Stored extends ServerlessHub {
  constructor(@inject(MessageStore) private readonly store: MessageStore) {
    super();
    hubInstances += 1;
  }

  save(text: string): number {
    return this.store.save(text);
  }
}

// An inversify Container is a HubContainer as it is (checked by the compiler).
const asHubContainer: (container: Container) => HubContainer = (container) => container;

describe('hubs and filters from an inversify container', () => {
  let bed: HubTestBed | undefined;
  afterEach(() => {
    bed?.dispose();
    bed = undefined;
  });

  it('resolves the hub for every call, with constructor injection, and class filters from the container', async () => {
    const container = new Container({ autobind: true });
    container.bind(MessageStore).toSelf().inSingletonScope();
    bed = createHubTestBed([Stored], { container: asHubContainer(container) });
    hubInstances = 0;
    expect((await bed.invoke('save', ['one'], { userId: 'alice' })).completion?.result).toBe(2);
    expect((await bed.invoke('save', ['two'], { userId: 'bob' })).completion?.result).toBe(4);
    expect(hubInstances).toBe(2);
    expect(container.get(MessageStore).saved).toEqual(['checked alice', 'one', 'checked bob', 'two']);
    const denied = await bed.invoke('save', ['three'], { userId: 'mallory' });
    expect(denied.status).toBe(403);
    expect(hubInstances).toBe(2);
  });

  it('refuses a hub bound as a singleton: hub instances hold per-call state', async () => {
    const container = new Container({ autobind: true });
    container.bind(MessageStore).toSelf().inSingletonScope();
    container.bind(Stored).toSelf().inSingletonScope();
    bed = createHubTestBed([Stored], { container });
    expect((await bed.invoke('save', ['one'])).completion?.result).toBe(2);
    const second = await bed.invoke('save', ['two']);
    expect(second.completion?.error).toBe("An unexpected error occurred invoking 'save' on the server.");
    expect(second.logs.some((line) => line.message.includes('bind hub classes in transient scope'))).toBe(true);
  });

  it('refuses what a container returns when it is not the hub or filter (a filter that cannot be resolved denies)', async () => {
    @Hub('plain')
    class Plain extends ServerlessHub {
      echo(value: unknown): unknown {
        return value;
      }
    }
    const notAHub = { get: () => ({ not: 'a hub' }) };
    bed = createHubTestBed([Plain], { container: notAHub });
    const answer = await bed.invoke('echo', ['x']);
    expect(answer.completion?.error).toBe("An unexpected error occurred invoking 'echo' on the server.");
    expect(
      answer.logs.some((line) =>
        line.message.includes('The DI container returned an instance of Object for hub Plain'),
      ),
    ).toBe(true);
    bed.dispose();

    bed = createHubTestBed([Stored], { container: notAHub });
    const filtered = await bed.invoke('save', ['x']);
    expect(filtered.status).toBe(403);
    expect(
      filtered.logs.some((line) => line.message.includes('for filter BannedUsers, which has no canActivate method')),
    ).toBe(true);
  });
});

const run = promisify(execFile);
const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));

// A resolve hook that makes importing inversify (or its parts) fail, loudly.
const BLOCK_INVERSIFY =
  'data:text/javascript,export async function resolve(specifier, context, next) {' +
  ' if (/^(inversify|@inversifyjs\\/)/.test(specifier)) throw new Error("inversify was imported: " + specifier);' +
  ' return next(specifier, context); }';

const SCRIPT = `
import { register } from 'node:module';
register(${JSON.stringify(BLOCK_INVERSIFY)});
const core = await import('@serverless-hub/core');
const testing = await import('@serverless-hub/core/testing');
class Chat extends core.ServerlessHub { echo(value) { return value; } }
core.Hub('chat')(Chat);
const plain = testing.createHubTestBed([Chat]);
const withNew = (await plain.invoke('echo', [42])).completion.result;
plain.dispose();
const containerLike = testing.createHubTestBed([Chat], { container: { get: (type) => new type() } });
const withContainer = (await containerLike.invoke('echo', [43])).completion.result;
containerLike.dispose();
const control = await import('inversify').then(() => 'loaded', (error) => error.message);
console.log(JSON.stringify({ withNew, withContainer, control }));
`;

describe('without a container', () => {
  it('never imports inversify (in a separate Node process that refuses to load it)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      {
        cwd: packageDirectory,
        timeout: 30_000,
      },
    );
    // The control shows the hook does refuse inversify in that process.
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      withNew: 42,
      withContainer: 43,
      control: 'inversify was imported: inversify',
    });
  });
});
