import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ConnectionTarget } from '../service/connection-target.js';
import type { ClientTarget } from '../service/client-target.js';
import type { HubClients } from '../service/hub-clients.js';
import { typedHubClients, typedTarget } from './typed-clients.js';

interface Client {
  newMessage(text: string): void;
  typing(who: string, active: boolean): void;
  localTime(): string;
}

function recordingConnection(label: string, sent: unknown[][]): ConnectionTarget {
  return {
    ...recordingTarget(label, sent),
    invoke: (target, ...args) => {
      sent.push([label, 'invoke', target, ...args]);
      return Promise.resolve(`${target} result`);
    },
    invokeMessage: (target, args) => {
      sent.push([label, 'invokeMessage', target, ...args]);
      return Promise.resolve(`${target} result`);
    },
    sendStreamItem: (streamId, item) => {
      sent.push([label, 'sendStreamItem', streamId, item]);
      return Promise.resolve(true);
    },
    completeStream: (streamId) => {
      sent.push([label, 'completeStream', streamId]);
      return Promise.resolve(true);
    },
    sendStream: (streamId) => {
      sent.push([label, 'sendStream', streamId]);
      return Promise.resolve(true);
    },
  };
}

function recordingTarget(label: string, sent: unknown[][]): ClientTarget {
  return {
    send: (target, ...args) => {
      sent.push([label, target, ...args]);
      return Promise.resolve();
    },
    sendMessage: (target, args) => {
      sent.push([label, 'sendMessage', target, ...args]);
      return Promise.resolve();
    },
  };
}

describe('typed client proxy', () => {
  it('turns client method calls into sends of that target', async () => {
    const sent: unknown[][] = [];
    const proxy = typedTarget<Client>(recordingTarget('all', sent));
    await proxy.newMessage('hi');
    await proxy.typing('bob', true);
    await proxy.send('raw', 1);
    await proxy.sendMessage('listed', [2, 3]);
    expect(sent).toEqual([
      ['all', 'newMessage', 'hi'],
      ['all', 'typing', 'bob', true],
      ['all', 'raw', 1],
      ['all', 'sendMessage', 'listed', 2, 3],
    ]);
  });

  it('caches each sender on the target, and senders work detached', async () => {
    const sent: unknown[][] = [];
    const proxy = typedTarget<Client>(recordingTarget('all', sent));
    const first = proxy.newMessage;
    expect(proxy.newMessage).toBe(first);
    const { send } = proxy;
    await first('detached');
    await send('also', 'detached');
    expect(sent).toEqual([
      ['all', 'newMessage', 'detached'],
      ['all', 'also', 'detached'],
    ]);
  });

  it('is not a thenable and converts, inspects and serializes without sending anything', async () => {
    const sent: unknown[][] = [];
    const proxy = typedTarget<Client>(recordingTarget('all', sent));
    expect((proxy as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(proxy)).toBe(proxy);
    expect(Object.prototype.toString.call(proxy)).toBe('[object Object]');
    expect((proxy as unknown as { toString(): string }).toString()).toBe('[object Object]');
    expect(proxy).toEqual(proxy);
    expect(typeof inspect(proxy)).toBe('string');
    expect(JSON.stringify(proxy)).toBe('{}');
    expect(Object.keys(proxy)).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('wraps every target of the REST clients, and `all` once', async () => {
    const sent: unknown[][] = [];
    const clients: HubClients = {
      all: recordingTarget('all', sent),
      allExcept: (ids) => recordingTarget(`allExcept ${ids.join(',')}`, sent),
      client: (id) => recordingConnection(`client ${id}`, sent),
      clients: (ids) => recordingTarget(`clients ${ids.join(',')}`, sent),
      user: (id) => recordingTarget(`user ${id}`, sent),
      users: (ids) => recordingTarget(`users ${ids.join(',')}`, sent),
      group: (name) => recordingTarget(`group ${name}`, sent),
      groups: (names) => recordingTarget(`groups ${names.join(',')}`, sent),
      groupExcept: (name, ids) => recordingTarget(`groupExcept ${name} ${ids.join(',')}`, sent),
    };
    const typed = typedHubClients<Client>(clients);
    expect(typed.all).toBe(typed.all);
    await typed.allExcept(['c1']).newMessage('a');
    await typed.client('c2').newMessage('b');
    await typed.clients(['c3', 'c4']).newMessage('c');
    await typed.user('u1').newMessage('d');
    await typed.users(['u2']).newMessage('e');
    await typed.group('g1').newMessage('f');
    await typed.groups(['g2', 'g3']).newMessage('g');
    await typed.groupExcept('g4', ['c5']).newMessage('h');
    expect(sent.map((entry) => entry[0])).toEqual([
      'allExcept c1',
      'client c2',
      'clients c3,c4',
      'user u1',
      'users u2',
      'group g1',
      'groups g2,g3',
      'groupExcept g4 c5',
    ]);
  });

  it('gives a single connection invoke and the stream sends, and no other target', async () => {
    const sent: unknown[][] = [];
    const clients = typedHubClients<Client>({
      all: recordingTarget('all', sent),
      allExcept: () => recordingTarget('allExcept', sent),
      client: (id) => recordingConnection(`client ${id}`, sent),
      clients: () => recordingTarget('clients', sent),
      user: () => recordingTarget('user', sent),
      users: () => recordingTarget('users', sent),
      group: () => recordingTarget('group', sent),
      groups: () => recordingTarget('groups', sent),
      groupExcept: () => recordingTarget('groupExcept', sent),
    });
    const connection = clients.client('c1');
    await expect(connection.invoke('localTime')).resolves.toBe('localTime result');
    await expect(connection.invokeMessage('localTime', [], { timeoutMs: 5 })).resolves.toBe('localTime result');
    await connection.sendStreamItem('s1', 3);
    await connection.completeStream('s1');
    expect(sent).toEqual([
      ['client c1', 'invoke', 'localTime'],
      ['client c1', 'invokeMessage', 'localTime'],
      ['client c1', 'sendStreamItem', 's1', 3],
      ['client c1', 'completeStream', 's1'],
    ]);
    // `invoke` is not a client method on any other target: it is not sent by mistake.
    expect((clients.all as unknown as { invoke?: unknown }).invoke).toBeUndefined();
  });
});
