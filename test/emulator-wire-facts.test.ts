// Wire facts of the service that the emulator must follow, each built from the official source named
// beside it, and checked with the official clients (JSON and MessagePack) receiving the result.
import { createHmac } from 'node:crypto';
import { JsonHubProtocol, MessageType } from '@microsoft/signalr';
import type { InvocationMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { EMULATOR_ACCESS_KEY } from '@serverless-hub/emulator';
import { buildClient, collect, eventually, rest, restToken, startEmulatorWithApp } from './emulator-helpers.js';
import type { EmulatorWithApp } from './emulator-helpers.js';

const SECONDARY_KEY = 'secondary-key-secondary-key-secondary-key-0';

let setup: EmulatorWithApp;

beforeAll(async () => {
  setup = await startEmulatorWithApp({ logLevel: 'silent', secondaryAccessKey: SECONDARY_KEY });
});

afterAll(async () => {
  await setup.close();
});

/** A JSON client and a MessagePack client of hub `chat`, each recording `msg`. */
async function twoClients(): Promise<{ json: unknown[][]; messagePack: unknown[][]; stop: () => Promise<void> }> {
  const jsonClient = buildClient(setup.app, 'WebSockets', 'json');
  const messagePackClient = buildClient(setup.app, 'LongPolling', 'messagepack');
  const json = collect(jsonClient, 'msg');
  const messagePack = collect(messagePackClient, 'msg');
  await Promise.all([jsonClient.start(), messagePackClient.start()]);
  return {
    json,
    messagePack,
    stop: () => Promise.all([jsonClient.stop(), messagePackClient.stop()]).then(() => undefined),
  };
}

/**
 * The body BinaryPayloadMessageContent writes, encoded here by hand from the MessagePack spec (fixmap, fixstr
 * key, bin 8 value) so that it does not depend on the code under test.
 */
function protocolMap(entries: Record<string, Uint8Array>): Uint8Array {
  const parts: number[] = [0x80 | Object.keys(entries).length];
  for (const [name, payload] of Object.entries(entries)) {
    if (payload.length > 0xff) throw new Error('bin 8 only');
    parts.push(0xa0 | name.length, ...Buffer.from(name, 'latin1'), 0xc4, payload.length, ...payload);
  }
  return Uint8Array.from(parts);
}

/** What the SDK writes with the official protocols: one framed Invocation of `target` per protocol. */
function officialFrames(target: string, args: unknown[]): { json: Uint8Array; messagepack: Uint8Array } {
  const invocation: InvocationMessage = { type: MessageType.Invocation, target, arguments: args, headers: {} };
  return {
    json: Buffer.from(new JsonHubProtocol().writeMessage(invocation), 'utf8'),
    messagepack: new Uint8Array(new MessagePackHubProtocol().writeMessage(invocation)),
  };
}

describe('REST bodies (fact 1)', () => {
  // Azure/azure-signalr: JsonPayloadMessageContent writes "Target" and "Arguments" (PascalCase); the service, and the
  // official emulator (src/Microsoft.Azure.SignalR.Emulator, Newtonsoft.Json model binding of PayloadMessage),
  // read property names regardless of case.
  it('reads {"Target","Arguments"} as the Management SDK writes it, and any other letter case', async () => {
    const clients = await twoClients();
    try {
      for (const body of [
        { Target: 'msg', Arguments: ['pascal', 1] },
        { TARGET: 'msg', arguments: ['upper', 2] },
      ]) {
        expect((await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', { body })).status).toBe(202);
      }
      await eventually(
        () => clients.json.length === 2 && clients.messagePack.length === 2,
        'both clients got both messages',
      );
      expect(clients.json).toEqual([
        ['pascal', 1],
        ['upper', 2],
      ]);
      expect(clients.messagePack).toEqual([
        ['pascal', 1],
        ['upper', 2],
      ]);
    } finally {
      await clients.stop();
    }
  });
});

describe('binary payloads (fact 2)', () => {
  // REST API 2024-12-01 spec: the :send routes consume application/json, application/x-msgpack and
  // application/octet-stream. Azure/azure-signalr BinaryPayloadMessageContent (chosen by PayloadBuilderResolver when
  // the app configures hub protocols): a MessagePack map protocol name → that protocol's serialized message; each
  // client receives the payload of its own protocol.
  it('delivers each protocol its own bytes from the SDK protocol map, on every :send route', async () => {
    const clients = await twoClients();
    try {
      // Different arguments per protocol show that each client got its own entry, untouched.
      const json = officialFrames('msg', ['for json']).json;
      const messagepack = officialFrames('msg', ['for messagepack', new Uint8Array([1, 2, 3])]).messagepack;
      const body = protocolMap({ json, messagepack });
      for (const contentType of ['application/octet-stream', 'application/x-msgpack']) {
        const answer = await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', { body, contentType });
        expect(answer.status, answer.text).toBe(202);
      }
      await eventually(
        () => clients.json.length === 2 && clients.messagePack.length === 2,
        'both clients got both messages',
      );
      expect(clients.json).toEqual([['for json'], ['for json']]);
      expect(clients.messagePack[0]?.[0]).toBe('for messagepack');
      expect([...(clients.messagePack[0]?.[1] as Uint8Array)]).toEqual([1, 2, 3]);
    } finally {
      await clients.stop();
    }
  });

  it('encodes a protocol missing from the map from another entry', async () => {
    const clients = await twoClients();
    try {
      const { messagepack } = officialFrames('msg', ['only messagepack', new Uint8Array([7])]);
      expect(
        (
          await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', {
            body: protocolMap({ messagepack }),
            contentType: 'application/octet-stream',
          })
        ).status,
      ).toBe(202);
      await eventually(() => clients.json.length === 1 && clients.messagePack.length === 1, 'both clients got it');
      // ASP.NET Core's JSON protocol writes byte arrays as base64.
      expect(clients.json).toEqual([['only messagepack', 'Bw==']]);
    } finally {
      await clients.stop();
    }
  });

  it('the framework REST client sends Uint8Array and bigint arguments natively to each protocol', async () => {
    const clients = await twoClients();
    try {
      const endpoint = {
        endpoint: 'http://localhost',
        clientEndpoint: setup.emulator.url,
        serverEndpoint: setup.emulator.url,
        port: setup.emulator.port,
        auth: { type: 'key' as const, accessKey: EMULATOR_ACCESS_KEY },
      };
      await new ServiceHubClient(endpoint, 'chat', { retry: false }).clients.all.send(
        'msg',
        new Uint8Array([4, 5]),
        2n ** 53n + 1n,
      );
      await eventually(() => clients.json.length === 1 && clients.messagePack.length === 1, 'both clients got it');
      expect(clients.json[0]?.[0]).toBe('BAU=');
      expect([...(clients.messagePack[0]?.[0] as Uint8Array)]).toEqual([4, 5]);
      // Both official clients read 2^53 + 1 as the nearest double, as they read any 64-bit integer.
      expect(clients.json[0]?.[1]).toBe(2 ** 53);
      expect(clients.messagePack[0]?.[1]).toBe(2 ** 53);
    } finally {
      await clients.stop();
    }
  });

  it.each([
    ['not a map', Uint8Array.from([0x91, 0xa4, ...Buffer.from('json')]), 'not a map'],
    ['no known protocol', protocolMap({ xml: new Uint8Array([1]) }), "no 'json' or 'messagepack' entry"],
    [
      'a broken JSON entry',
      protocolMap({ json: new TextEncoder().encode('{"type":1\u001e') }),
      "'json' payload is not a valid json hub message",
    ],
    [
      'two messages in one entry',
      protocolMap({ json: new TextEncoder().encode('{"type":6}\u001e{"type":6}\u001e') }),
      'exactly one Invocation',
    ],
    [
      'an invocation id',
      protocolMap({
        json: new TextEncoder().encode('{"type":1,"invocationId":"1","target":"msg","arguments":[]}\u001e'),
      }),
      'must not carry an invocation id',
    ],
  ])('answers 400 for a binary payload with %s', async (_name, body, reason) => {
    const answer = await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', {
      body,
      contentType: 'application/octet-stream',
    });
    expect([answer.status, answer.errorCode]).toEqual([400, 'Error.InvalidArgument']);
    expect(answer.text).toContain(reason);
  });
});

describe('user id (fact 3)', () => {
  // Azure/azure-signalr ClaimTypeMapping: both `nameid` and `sub` map to the name identifier claim type, and the
  // user identifier is `asrs.s.uid`, else the name identifier (GetUserIdentifier).
  it.each([
    ['sub', { sub: 'sub-user' }, 'sub-user'],
    ['nameid', { nameid: 'nameid-user' }, 'nameid-user'],
    ['asrs.s.uid before sub', { sub: 'ignored', 'asrs.s.uid': 'uid-user' }, 'uid-user'],
  ])('a token with %s is that user', async (_name, claims, userId) => {
    const client = buildClient(setup.app, 'WebSockets', 'json', { claims });
    const received = collect(client, 'msg');
    await client.start();
    try {
      const connected = await setup.app.waitFor(
        (record) => record.event === 'connected' && record.connectionId === client.connectionId,
      );
      expect(connected.headers['x-asrs-user-id']).toBe(userId);
      expect(
        (
          await rest(setup.emulator, 'POST', `/api/hubs/chat/users/${userId}/:send`, {
            body: { target: 'msg', arguments: [userId] },
          })
        ).status,
      ).toBe(202);
      await eventually(() => received.length === 1, 'the user got the message');
      expect((await rest(setup.emulator, 'HEAD', `/api/hubs/chat/users/${userId}`)).status).toBe(200);
    } finally {
      await client.stop();
    }
  });
});

describe('upstream signature (fact 4)', () => {
  // Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService, SignalRTriggerUtils.GetSignatureList:
  // the header is split on ',' without trimming, and an entry must match exactly; so entries are joined by ','.
  it('joins the entries of the primary and the secondary key with "," and no space', async () => {
    const client = buildClient(setup.app, 'WebSockets', 'json');
    await client.start();
    try {
      const connectionId = client.connectionId ?? '';
      const connected = await setup.app.waitFor(
        (record) => record.event === 'connected' && record.connectionId === connectionId,
      );
      const entries = String(connected.headers['x-asrs-signature']).split(',');
      const expected = [EMULATOR_ACCESS_KEY, SECONDARY_KEY].map(
        (key) => `sha256=${createHmac('sha256', key).update(connectionId).digest('hex').toUpperCase()}`,
      );
      expect(entries).toEqual(expected);
    } finally {
      await client.stop();
    }
  });
});

describe('REST API versions (fact 7)', () => {
  // The published data-plane versions (the 2022-06-01 and 2024-12-01 specs and the versions between them, named
  // in the 2024-12-01 examples), and the official emulator's unversioned /api/v1 forms: all serve the same routes.
  const versions = [
    '2021-10-01',
    '2022-06-01',
    '2022-11-01',
    '2023-07-01',
    '2024-01-01-preview',
    '2024-08-01-preview',
    '2024-12-01',
    '1.0',
  ];

  it.each(versions)('accepts api-version=%s on every route', async (version) => {
    const query = `?api-version=${version}`;
    const body = { target: 'msg', arguments: [] };
    const answers = [
      await rest(setup.emulator, 'HEAD', '/api/health', { token: null, query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', { body, query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/users/u/:send', { body, query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/groups/g/:send', { body, query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/connections/c/:send', { body, query }),
      await rest(setup.emulator, 'PUT', '/api/hubs/chat/users/u/groups/g', { query }),
      await rest(setup.emulator, 'DELETE', '/api/hubs/chat/users/u/groups/g', { query }),
      await rest(setup.emulator, 'DELETE', '/api/hubs/chat/users/u/groups', { query }),
      await rest(setup.emulator, 'DELETE', '/api/hubs/chat/connections/c/groups', { query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/:closeConnections', { query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/groups/g/:closeConnections', { query }),
      await rest(setup.emulator, 'POST', '/api/hubs/chat/users/u/:closeConnections', { query }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([
      200, 202, 202, 202, 202, 200, 204, 204, 200, 204, 204, 204,
    ]);
    // The checks answer 404 with the documented error codes: an answer, not a refused version.
    const checks = [
      await rest(setup.emulator, 'HEAD', '/api/hubs/chat/users/nobody', { query }),
      await rest(setup.emulator, 'HEAD', '/api/hubs/chat/groups/none', { query }),
      await rest(setup.emulator, 'HEAD', '/api/hubs/chat/connections/none', { query }),
      await rest(setup.emulator, 'HEAD', '/api/hubs/chat/users/nobody/groups/none', { query }),
    ];
    expect(checks.map((answer) => answer.errorCode)).toEqual([
      'Warning.User.NotExisted',
      'Warning.Group.NotExisted',
      'Warning.Connection.NotExisted',
      'Info.User.NotInGroup',
    ]);
  });
});

describe('REST messages nested too deep', () => {
  it.each([120, 100_000])('answers 400 for a message %i levels deep, and no client receives it', async (depth) => {
    const clients = await twoClients();
    try {
      const body = `{"target":"msg","arguments":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
      const answer = await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', { body });
      expect([answer.status, answer.errorCode]).toEqual([400, 'Error.InvalidArgument']);
      expect(answer.text).toContain('nested deeper than 64 levels');
      // A marker sent afterwards arrives alone: the deep message reached nobody.
      expect(
        (await rest(setup.emulator, 'POST', '/api/hubs/chat/:send', { body: { target: 'msg', arguments: ['marker'] } }))
          .status,
      ).toBe(202);
      await eventually(() => clients.json.length === 1 && clients.messagePack.length === 1, 'the marker arrived');
      expect([clients.json, clients.messagePack]).toEqual([[['marker']], [['marker']]]);
    } finally {
      await clients.stop();
    }
  });
});

describe('REST token audience', () => {
  it('compares the path of the audience with letter case, as user ids are case-sensitive', async () => {
    const path = '/api/hubs/chat/users/Alice/:send';
    const body = { target: 'msg', arguments: [] };
    expect(
      (await rest(setup.emulator, 'POST', path, { body, token: await restToken(`${setup.emulator.url}${path}`) }))
        .status,
    ).toBe(202);
    const lowerCased = await rest(setup.emulator, 'POST', path, {
      body,
      token: await restToken(`${setup.emulator.url}${path.toLowerCase()}`),
    });
    expect(lowerCased.status).toBe(401);
  });
});
