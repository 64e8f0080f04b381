// One upstream app and the requests the service sends to it, with the exact answers expected. Both
// adapter test files run every scenario, so the two transports are held to the same bytes.
import { HubError, denyUpstream } from '@serverless-hub/core';
import { UpstreamDispatcher, createUpstreamAuthenticator } from '@serverless-hub/core/upstream';
import type { HubInvocationContext, UpstreamLogger } from '@serverless-hub/core';
import type { UpstreamCall } from '@serverless-hub/core/upstream';
import {
  CONTENT_TYPES,
  PRIMARY_KEY,
  SECONDARY_KEY,
  connectedBody,
  disconnectedBody,
  invocationBody,
  officialCompletion,
  serviceRequest,
  serviceSignature,
} from './upstream-service-request.js';
import type { ServiceRequest, WireProtocol } from './upstream-service-request.js';

export interface Recorder {
  calls: { event: string; context: HubInvocationContext; call: UpstreamCall }[];
  logs: { level: string; message: string; error?: unknown }[];
}

export function createRecorder(): Recorder {
  return { calls: [], logs: [] };
}

export const SECRET_DETAIL = 'connect ECONNREFUSED at /home/site/wwwroot/db.js:12 password=hunter2';

/** The app under test: one hub with a handler per behaviour the scenarios exercise. */
export function createTestDispatcher(recorder: Recorder, logger?: UpstreamLogger): UpstreamDispatcher {
  const record = (event: string) => (context: HubInvocationContext, call: UpstreamCall) => {
    recorder.calls.push({ event, context, call });
  };
  return new UpstreamDispatcher({
    authenticator: createUpstreamAuthenticator({ accessKeys: [PRIMARY_KEY, SECONDARY_KEY] }),
    logger: logger ?? { log: (level, message, error) => recorder.logs.push({ level, message, error }) },
    handlers: [
      {
        hub: 'chat',
        category: 'connections',
        event: 'connected',
        handler: (context, call) => {
          record('connected')(context, call);
          if (context.claimValues.role?.includes('banned') === true) denyUpstream('banned user');
          if (context.query.fail !== undefined) throw new Error(SECRET_DETAIL);
        },
      },
      {
        hub: 'chat',
        category: 'connections',
        event: 'disconnected',
        handler: (context, call) => {
          record('disconnected')(context, call);
          if (context.error === 'explode') throw new Error(SECRET_DETAIL);
        },
      },
      {
        hub: 'chat',
        category: 'messages',
        event: 'add',
        minArguments: 2,
        maxArguments: 2,
        handler: (context, call) => {
          record('add')(context, call);
          const [a, b] = context.arguments as [number, number];
          return a + b;
        },
      },
      {
        hub: 'chat',
        category: 'messages',
        event: 'echo',
        minArguments: 1,
        maxArguments: 2,
        handler: async (context, call) => {
          record('echo')(context, call);
          await Promise.resolve();
          return context.arguments[0];
        },
      },
      { hub: 'chat', category: 'messages', event: 'nothing', handler: record('nothing') },
      {
        hub: 'chat',
        category: 'messages',
        event: 'broadcast',
        minArguments: 1,
        maxArguments: 1,
        handler: record('broadcast'),
      },
      {
        hub: 'chat',
        category: 'messages',
        event: 'fail',
        handler: async (context, call) => {
          record('fail')(context, call);
          await Promise.resolve();
          throw new Error(SECRET_DETAIL);
        },
      },
      {
        hub: 'chat',
        category: 'messages',
        event: 'rename',
        handler: (context, call) => {
          record('rename')(context, call);
          throw new HubError('Names are at most 32 characters long.');
        },
      },
      {
        hub: 'chat',
        category: 'messages',
        event: 'shutdown',
        handler: (context, call) => {
          record('shutdown')(context, call);
          if (context.claimValues.role?.includes('admin') !== true) denyUpstream('admins only');
          return 'shutting down';
        },
      },
    ],
  });
}

export interface ExpectedAnswer {
  readonly status: number;
  /** `null`: no content type at all. */
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

export interface Scenario {
  readonly name: string;
  readonly request: ServiceRequest;
  readonly answer: ExpectedAnswer;
  /** Checks what the handlers saw and what was logged. */
  readonly verify?: (recorder: Recorder) => void;
}

const text = (value: string) => new TextEncoder().encode(value);
const EMPTY = new Uint8Array(0);
const ok: ExpectedAnswer = { status: 200, contentType: null, body: EMPTY };
const refusal = (status: number, message: string): ExpectedAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: text(message),
});
const completion = (
  protocol: WireProtocol,
  value: { invocationId: string; result?: unknown; error?: string },
): ExpectedAnswer => ({
  status: 200,
  contentType: CONTENT_TYPES[protocol],
  body: officialCompletion(protocol, value),
});

function only<T>(values: readonly T[]): T {
  if (values.length !== 1) throw new Error(`expected exactly one call, got ${String(values.length)}`);
  return values[0] as T;
}

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function assertNoCalls(recorder: Recorder): void {
  assertEqual(recorder.calls.length, 0, 'handler calls');
}

const UNAUTHORIZED = 'The request is unauthorized, please check the Signature.';
const CLAIMS: [string, string][] = [
  ['sub', 'user-1'],
  ['role', 'admin'],
  ['role', 'ops'],
  ['name', 'Smith, John'],
  ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'john'],
];

function invocationScenarios(protocol: WireProtocol): Scenario[] {
  const messages = (
    event: string,
    invocationId: string | undefined,
    args: readonly unknown[],
    extra?: { claims?: [string, string][] },
  ) =>
    serviceRequest({
      category: 'messages',
      event,
      protocol,
      userId: 'user-1',
      ...(extra?.claims === undefined ? {} : { claims: extra.claims }),
      body: invocationBody(protocol, {
        target: event,
        arguments: args,
        ...(invocationId === undefined ? {} : { invocationId }),
      }),
    });
  return [
    {
      name: `${protocol}: invoke returns the handler's result as a framed completion`,
      request: messages('add', '7', [2, 3]),
      answer: completion(protocol, { invocationId: '7', result: 5 }),
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual(
          [context.invocationId, context.protocol, context.category, context.event],
          ['7', protocol, 'messages', 'add'],
          'context',
        );
        assertEqual(context.arguments, [2, 3], 'arguments');
      },
    },
    {
      name: `${protocol}: invoke of an async handler returns nested values`,
      request: messages('echo', '8', [{ text: 'héllo ✓', list: [1, null, true], nested: { n: -1.5 } }]),
      answer: completion(protocol, {
        invocationId: '8',
        result: { text: 'héllo ✓', list: [1, null, true], nested: { n: -1.5 } },
      }),
    },
    {
      name: `${protocol}: invoke returning null completes with a null result`,
      request: messages('echo', '9', [null]),
      answer: completion(protocol, { invocationId: '9', result: null }),
    },
    {
      // Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService: the invocation executor
      // answers CompletionMessage.WithResult(id, result), so a method that returns nothing gives `result: null`.
      name: `${protocol}: invoke of a handler returning nothing completes with a null result, as the C# extension`,
      request: messages('nothing', '10', []),
      answer: completion(protocol, { invocationId: '10', result: null }),
    },
    {
      name: `${protocol}: send (no invocation id) answers 200 with an empty body after the handler ran`,
      request: messages('broadcast', undefined, ['hi all']),
      answer: ok,
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual([context.invocationId, context.arguments], [undefined, ['hi all']], 'send context');
      },
    },
    {
      name: `${protocol}: too few arguments give the official message as an error completion; the handler never runs`,
      request: messages('add', '11', [1]),
      answer: completion(protocol, {
        invocationId: '11',
        error: 'The function accept 2 arguments but message provided 1.',
      }),
      verify: assertNoCalls,
    },
    {
      name: `${protocol}: too many arguments give the official message with the maximum`,
      request: messages('echo', '12', [1, 2, 3]),
      answer: completion(protocol, {
        invocationId: '12',
        error: 'The function accept 2 arguments but message provided 3.',
      }),
      verify: assertNoCalls,
    },
    {
      name: `${protocol}: a send with the wrong argument count is dropped with 200 and a warning`,
      request: messages('broadcast', undefined, []),
      answer: ok,
      verify: (recorder) => {
        assertNoCalls(recorder);
        assertEqual(
          recorder.logs.map((entry) => entry.level),
          ['warn'],
          'log levels',
        );
      },
    },
    {
      name: `${protocol}: an unexpected failure reaches the client only as a generic message`,
      request: messages('fail', '13', []),
      answer: completion(protocol, {
        invocationId: '13',
        error: "An unexpected error occurred invoking 'fail' on the server.",
      }),
      verify: (recorder) => {
        const entry = only(recorder.logs.filter((log) => log.level === 'error'));
        assertEqual((entry.error as Error).message, SECRET_DETAIL, 'logged error');
      },
    },
    {
      name: `${protocol}: a HubError's message reaches the client as it is`,
      request: messages('rename', '14', ['a very long name']),
      answer: completion(protocol, { invocationId: '14', error: 'Names are at most 32 characters long.' }),
    },
    {
      name: `${protocol}: a denied invoke answers 403`,
      request: messages('shutdown', '15', [], { claims: [['role', 'user']] }),
      answer: refusal(403, 'The call was denied.'),
    },
    {
      name: `${protocol}: an allowed invoke sees every value of a repeated claim`,
      request: messages('shutdown', '16', [], {
        claims: [
          ['role', 'user'],
          ['role', 'admin'],
        ],
      }),
      answer: completion(protocol, { invocationId: '16', result: 'shutting down' }),
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual([context.claims.role, context.claimValues.role], ['user', ['user', 'admin']], 'claims');
      },
    },
  ];
}

/** Every scenario of the upstream contract. */
export function upstreamScenarios(): Scenario[] {
  return [
    {
      name: 'connected: 200 with an empty body; the context carries user, claims, query and headers',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        connectionId: 'conn-1',
        userId: 'user-1',
        claims: CLAIMS,
        query: '?hub=chat&tag=a&tag=b&name=J%C3%BCrgen',
        body: connectedBody(),
      }),
      answer: ok,
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual(
          [
            context.connectionId,
            context.userId,
            context.hub,
            context.category,
            context.event,
            context.error,
            context.invocationId,
          ],
          ['conn-1', 'user-1', 'chat', 'connections', 'connected', undefined, undefined],
          'connected context',
        );
        assertEqual(
          { ...context.claimValues },
          {
            sub: ['user-1'],
            role: ['admin', 'ops'],
            name: ['Smith, John'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': ['john'],
          },
          'claim values',
        );
        assertEqual(context.claims.role, 'admin', 'first claim');
        assertEqual([context.query.name, context.queryValues.tag], ['Jürgen', ['a', 'b']], 'query');
        assertEqual(context.headers['x-asrs-user-id'], 'user-1', 'headers');
        assertEqual(context.headers['x-asrs-signature'], undefined, 'signature kept out of the context');
        assertEqual(context.arguments, [], 'arguments');
      },
    },
    {
      name: 'connected without X-ASRS-User-Id: the user id is undefined',
      request: serviceRequest({ category: 'connections', event: 'connected', body: connectedBody() }),
      answer: ok,
      verify: (recorder) => {
        assertEqual(only(recorder.calls).context.userId, undefined, 'anonymous user id');
      },
    },
    {
      name: 'connected refused by the handler answers 403',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        claims: [
          ['role', 'user'],
          ['role', 'banned'],
        ],
        body: connectedBody(),
      }),
      answer: refusal(403, 'The connection was refused.'),
    },
    {
      name: 'connected whose handler fails answers 403, as the C# extension does, and logs the error',
      request: serviceRequest({ category: 'connections', event: 'connected', query: '?fail=1', body: connectedBody() }),
      answer: refusal(403, 'The connection was refused.'),
      verify: (recorder) => {
        assertEqual(
          recorder.logs.map((entry) => entry.level),
          ['error'],
          'log levels',
        );
      },
    },
    {
      name: 'disconnected with a PascalCase error body',
      request: serviceRequest({
        category: 'connections',
        event: 'disconnected',
        body: disconnectedBody('Connection reset by peer'),
      }),
      answer: ok,
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual(
          [context.event, context.error],
          ['disconnected', 'Connection reset by peer'],
          'disconnected context',
        );
      },
    },
    {
      name: 'disconnected without Error (a clean close)',
      request: serviceRequest({ category: 'connections', event: 'disconnected', body: disconnectedBody() }),
      answer: ok,
      verify: (recorder) => {
        assertEqual(only(recorder.calls).context.error, undefined, 'clean close');
      },
    },
    {
      name: 'disconnected with a camelCase body and a null error',
      request: serviceRequest({
        category: 'connections',
        event: 'disconnected',
        body: text('{"type":11,"error":null}'),
      }),
      answer: ok,
    },
    {
      name: 'disconnected answers 200 even when its handler fails',
      request: serviceRequest({ category: 'connections', event: 'disconnected', body: disconnectedBody('explode') }),
      answer: ok,
      verify: (recorder) => {
        assertEqual(
          recorder.logs.map((entry) => entry.level),
          ['error'],
          'log levels',
        );
      },
    },
    {
      name: 'disconnected with a body that is not JSON answers 400',
      request: serviceRequest({ category: 'connections', event: 'disconnected', body: text('{"Type":11,') }),
      answer: refusal(400, 'The disconnected body is not valid UTF-8 JSON: ' + jsonErrorMessage('{"Type":11,')),
      verify: assertNoCalls,
    },
    {
      name: 'disconnected with a non-string error answers 400',
      request: serviceRequest({ category: 'connections', event: 'disconnected', body: text('{"Type":11,"Error":42}') }),
      answer: refusal(400, 'The "error" property of the disconnected body must be a string or null.'),
      verify: assertNoCalls,
    },
    ...invocationScenarios('json'),
    ...invocationScenarios('messagepack'),
    {
      name: 'hub, category and event match case-insensitively',
      request: serviceRequest({
        hub: 'CHAT',
        category: 'Messages',
        event: 'ADD',
        body: invocationBody('json', { invocationId: '1', target: 'Add', arguments: [1, 1] }),
      }),
      answer: completion('json', { invocationId: '1', result: 2 }),
      verify: (recorder) => {
        const { context } = only(recorder.calls);
        assertEqual([context.hub, context.category, context.event], ['CHAT', 'messages', 'ADD'], 'names as sent');
      },
    },
    {
      name: 'a signature made with the secondary key only is accepted',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        keys: [SECONDARY_KEY],
        body: connectedBody(),
      }),
      answer: ok,
    },
    {
      name: 'a lowercase-hex signature without spaces is accepted',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        connectionId: 'c-lower',
        signature: serviceSignature('c-lower', [PRIMARY_KEY, SECONDARY_KEY]).toLowerCase().replace(', ', ','),
        body: connectedBody(),
      }),
      answer: ok,
    },
    {
      name: 'a wrong signature answers 401 with the official message and the handler never runs',
      request: serviceRequest({
        category: 'messages',
        event: 'add',
        keys: ['not-the-key'],
        body: invocationBody('json', { invocationId: '1', target: 'add', arguments: [1, 2] }),
      }),
      answer: refusal(401, UNAUTHORIZED),
      verify: (recorder) => {
        assertNoCalls(recorder);
        assertEqual(
          recorder.logs.map((entry) => entry.level),
          ['warn'],
          'log levels',
        );
      },
    },
    {
      name: 'a missing signature answers 401',
      request: serviceRequest({ category: 'connections', event: 'connected', signature: null, body: connectedBody() }),
      answer: refusal(401, UNAUTHORIZED),
      verify: assertNoCalls,
    },
    {
      name: "another connection's signature answers 401",
      request: serviceRequest({
        category: 'connections',
        event: 'disconnected',
        connectionId: 'victim',
        signature: serviceSignature('attacker', [PRIMARY_KEY]),
        body: disconnectedBody(),
      }),
      answer: refusal(401, UNAUTHORIZED),
      verify: assertNoCalls,
    },
    {
      name: 'an unsupported content type answers 415',
      request: serviceRequest({ category: 'messages', event: 'add', contentType: 'text/plain', body: text('hi') }),
      answer: refusal(
        415,
        "The content type \"text/plain\" is not supported; expected 'application/json' or 'application/x-msgpack'.",
      ),
      verify: assertNoCalls,
    },
    {
      name: 'a missing content type answers 415',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        contentType: null,
        body: connectedBody(),
      }),
      answer: refusal(415, "The request has no Content-Type; expected 'application/json' or 'application/x-msgpack'."),
    },
    {
      name: 'a JSON content type with a charset is accepted',
      request: serviceRequest({
        category: 'connections',
        event: 'connected',
        contentType: 'application/json; charset=utf-8',
        body: connectedBody(),
      }),
      answer: ok,
    },
    {
      name: 'missing X-ASRS headers answer 400 naming them',
      request: withoutHeaders(serviceRequest({ category: 'messages', event: 'add' }), ['X-ASRS-Hub', 'X-ASRS-Event']),
      answer: refusal(400, 'The request lacks the headers X-ASRS-Hub, X-ASRS-Event.'),
    },
    {
      name: 'a missing connection id answers 400',
      request: withoutHeaders(serviceRequest({ category: 'connections', event: 'connected' }), [
        'X-ASRS-Connection-Id',
      ]),
      answer: refusal(400, 'The request lacks the header X-ASRS-Connection-Id.'),
    },
    {
      name: 'an unknown hub answers 404',
      request: serviceRequest({ hub: 'lobby', category: 'connections', event: 'connected', body: connectedBody() }),
      answer: refusal(404, 'No hub named "lobby" is registered.'),
    },
    {
      name: 'an unknown event answers 404',
      request: serviceRequest({
        category: 'messages',
        event: 'missing',
        body: invocationBody('json', { target: 'missing', arguments: [] }),
      }),
      answer: refusal(404, 'Hub "chat" has no handler for the messages event "missing".'),
    },
    {
      name: 'an unknown category answers 404',
      request: serviceRequest({ category: 'streams', event: 'add' }),
      answer: refusal(404, "Unknown category \"streams\"; expected 'connections' or 'messages'."),
    },
    {
      name: 'a JSON invocation that is not JSON answers 400',
      request: serviceRequest({ category: 'messages', event: 'add', body: text('{"type":1,"target":') }),
      answer: {
        status: 400,
        contentType: 'text/plain; charset=utf-8',
        body: text('The body is not a valid json Invocation message: '),
      },
      verify: assertNoCalls,
    },
    {
      name: 'a MessagePack body that is not an invocation answers 400',
      request: serviceRequest({
        category: 'messages',
        event: 'add',
        protocol: 'messagepack',
        body: new Uint8Array([0xc1, 0x00, 0xff]),
      }),
      answer: {
        status: 400,
        contentType: 'text/plain; charset=utf-8',
        body: text('The body is not a valid messagepack Invocation message: '),
      },
      verify: assertNoCalls,
    },
    {
      name: 'a streaming invocation of an event registered without a stream target answers 400',
      request: serviceRequest({
        category: 'messages',
        event: 'add',
        body: text('{"type":4,"invocationId":"1","target":"add","arguments":[1,2]}'),
      }),
      answer: {
        status: 400,
        contentType: 'text/plain; charset=utf-8',
        body: text(
          'The "add" event takes no stream invocations here: its registration has no stream target (streams).',
        ),
      },
      verify: assertNoCalls,
    },
    {
      name: 'an empty invocation body answers 400',
      request: serviceRequest({ category: 'messages', event: 'add' }),
      answer: {
        status: 400,
        contentType: 'text/plain; charset=utf-8',
        body: text('The body is not a valid json Invocation message: '),
      },
      verify: assertNoCalls,
    },
    {
      name: 'an invocation whose target differs from X-ASRS-Event answers 400',
      request: serviceRequest({
        category: 'messages',
        event: 'add',
        body: invocationBody('json', { invocationId: '1', target: 'echo', arguments: [1] }),
      }),
      answer: refusal(400, 'The invocation target "echo" does not match the X-ASRS-Event header "add".'),
      verify: assertNoCalls,
    },
    {
      // Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService: only invocations carry
      // an error back (a Completion); a failed send is logged and answered 200.
      name: 'a send whose handler fails answers 200 without details (the failure is logged)',
      request: serviceRequest({
        category: 'messages',
        event: 'fail',
        body: invocationBody('json', { target: 'fail', arguments: [] }),
      }),
      answer: ok,
    },
    {
      name: 'a send whose handler throws a HubError answers 200: there is no one to tell',
      request: serviceRequest({
        category: 'messages',
        event: 'rename',
        body: invocationBody('json', { target: 'rename', arguments: [] }),
      }),
      answer: ok,
    },
  ];
}

function withoutHeaders(request: ServiceRequest, names: readonly string[]): ServiceRequest {
  const headers = { ...request.headers };
  for (const name of names) Reflect.deleteProperty(headers, name);
  return { headers, body: request.body };
}

function jsonErrorMessage(input: string): string {
  try {
    JSON.parse(input);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('input is valid JSON');
}

/**
 * Compares an answer with the expected one. A 400 for a malformed body names the codec's own complaint
 * after a fixed prefix, so for those the expected body is a prefix.
 */
export function assertAnswer(
  actual: { status: number; contentType: string | null; body: Uint8Array },
  expected: ExpectedAnswer,
): void {
  assertEqual(actual.status, expected.status, 'status');
  assertEqual(actual.contentType, expected.contentType, 'content type');
  const actualBody = Buffer.from(actual.body);
  const expectedBody = Buffer.from(expected.body);
  const prefixOnly = expected.status === 400 && expectedBody.toString().endsWith('Invocation message: ');
  const matches = prefixOnly
    ? actualBody.subarray(0, expectedBody.length).equals(expectedBody) && actualBody.length > expectedBody.length
    : actualBody.equals(expectedBody);
  if (!matches) {
    throw new Error(
      `body: expected ${prefixOnly ? 'to start with ' : ''}${JSON.stringify(expectedBody.toString('latin1'))}, got ${JSON.stringify(actualBody.toString('latin1'))}`,
    );
  }
  if (actualBody.toString().includes(SECRET_DETAIL) || /\bat .*:\d+:\d+/.test(actualBody.toString())) {
    throw new Error('the answer leaks error details or a stack');
  }
}
