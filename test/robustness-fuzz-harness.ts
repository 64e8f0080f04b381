// The fuzz run of the registered upstream handler, shared by the quick test (robustness-upstream-fuzz)
// and the full one (upstream-fuzz.stress). A hub is registered with registerHubs exactly as an app does;
// requests are generated as the service builds them and then mutated (headers, signatures, bodies, sizes,
// encodings) and sent to the registered Azure Functions handler of the event they were built for. Every
// answer is checked against properties that hold whatever the input, with an oracle built here, apart from
// the code under test (signatures with node:crypto, bodies with the official @microsoft/signalr codecs):
//
// - the status is one of 200, 400, 401, 403, 404, 413, 415 (500 only for a send to the hub method that
//   deliberately fails, with the generic text);
// - the hub method runs only for requests whose signature is valid for their connection id;
// - an unmutated request gets exactly the answer the hub method gives;
// - a 200 answer to an invocation carries one Completion for it in the request's protocol;
// - no answer contains a stack trace, a file path, the access keys or the app's secret; no log line
//   contains the access keys;
// - nothing is left unhandled (no unhandled rejection, no uncaught exception).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { JsonHubProtocol, MessageType, NullLogger } from '@microsoft/signalr';
import type { CompletionMessage, HubMessage as OfficialHubMessage, InvocationMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { Hub, HubError, ServerlessHub, UseFilters, registerHubs } from '@serverless-hub/core';
import { clearRegisteredFunctions, createRecordingServices } from '@serverless-hub/core/testing';
import type { FunctionsApp, HubInvocationContext, RegisteredHttpFunction } from '@serverless-hub/core';
import fc from 'fast-check';

// Recognizable secrets: if any part of them shows up in an answer or a log line, the run fails.
export const FUZZ_ACCESS_KEY = 'FuzzPrimaryKey0123456789abcdefghijklmnopqrstuvw';
export const FUZZ_SECONDARY_KEY = 'FuzzSecondaryKey9876543210zyxwvutsrqponmlkjihg';
export const APP_SECRET = 'app-password-hunter2-7d1e';
const APP_FAILURE = `ENOENT: no such file or directory, open '/home/site/wwwroot/secrets/db.json' (password=${APP_SECRET})`;
const HUB = 'fuzz';
const CONNECTION_SETTING = 'FuzzSignalRConnection';

function denyBanned(context: HubInvocationContext): boolean {
  return context.claimValues.role?.includes('banned') !== true;
}

@Hub({ name: HUB, connectionStringSetting: CONNECTION_SETTING })
@UseFilters(denyBanned)
export class FuzzHub extends ServerlessHub {
  static runs: { event: string; connectionId: string }[] = [];

  onConnected(): void {
    FuzzHub.runs.push({ event: 'connected', connectionId: this.context.connectionId });
  }

  onDisconnected(): void {
    FuzzHub.runs.push({ event: 'disconnected', connectionId: this.context.connectionId });
  }

  echo(value: unknown): unknown {
    FuzzHub.runs.push({ event: 'echo', connectionId: this.context.connectionId });
    return value;
  }

  add(a: number, b: number): number {
    FuzzHub.runs.push({ event: 'add', connectionId: this.context.connectionId });
    return a + b;
  }

  async broadcast(text: string): Promise<void> {
    FuzzHub.runs.push({ event: 'broadcast', connectionId: this.context.connectionId });
    await this.clients.all.send('message', text);
  }

  fail(reason: unknown): never {
    FuzzHub.runs.push({ event: 'fail', connectionId: this.context.connectionId });
    throw new HubError(`refused: ${String(reason).slice(0, 50)}`);
  }

  explode(): never {
    FuzzHub.runs.push({ event: 'explode', connectionId: this.context.connectionId });
    throw new Error(APP_FAILURE);
  }
}

type EventName = 'connected' | 'disconnected' | 'echo' | 'add' | 'broadcast' | 'fail' | 'explode';
type Protocol = 'json' | 'messagepack';

interface Registered {
  readonly functions: ReadonlyMap<EventName, RegisteredHttpFunction>;
}

let registered: Registered | undefined;

/** Registers the fuzz hub once per test file, as an app does, with recording stand-ins for the REST API. */
export function registerFuzzHub(): Registered {
  if (registered !== undefined) return registered;
  process.env[CONNECTION_SETTING] =
    `Endpoint=https://fuzz.service.signalr.net;AccessKey=${FUZZ_ACCESS_KEY};Version=1.0;`;
  clearRegisteredFunctions();
  const noHost: FunctionsApp = { http: () => undefined, generic: () => undefined };
  const services = createRecordingServices();
  const registration = registerHubs(noHost, [FuzzHub], {
    services: () => services,
    upstream: { accessKeys: [FUZZ_SECONDARY_KEY] },
  });
  const functions = new Map<EventName, RegisteredHttpFunction>();
  for (const fn of registration.functions) {
    if (fn.trigger === 'http' && fn.role === 'upstream' && fn.event !== undefined)
      functions.set(fn.event as EventName, fn);
  }
  registered = { functions };
  return registered;
}

// ---------------------------------------------------------------------------------------------------
// Requests as the service builds them

const officialJson = new JsonHubProtocol();
const officialMessagePack = new MessagePackHubProtocol();
const encoder = new TextEncoder();

function officialSignature(connectionId: string, keys: readonly string[]): string {
  return keys
    .map(
      (key) =>
        `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(connectionId, 'utf8')).digest('hex').toUpperCase()}`,
    )
    .join(', ');
}

function unframedInvocation(protocol: Protocol, invocation: InvocationMessage): Uint8Array {
  if (protocol === 'json') {
    const framed = officialJson.writeMessage(invocation);
    return encoder.encode(framed.slice(0, -1));
  }
  const framed = new Uint8Array(officialMessagePack.writeMessage(invocation));
  let prefix = 0;
  while (((framed[prefix] ?? 0) & 0x80) !== 0) prefix++;
  return framed.subarray(prefix + 1);
}

interface Base {
  readonly event: EventName;
  readonly protocol: Protocol;
  readonly connectionId: string;
  readonly userId: string | undefined;
  readonly claims: readonly (readonly [string, string])[];
  readonly query: string | undefined;
  readonly invocationId: string | undefined;
  readonly args: readonly unknown[];
  readonly closeError: string | undefined;
}

/** A request being built: header names as the service spells them, values possibly repeated. */
interface Draft {
  headers: Map<string, string | string[]>;
  body: Uint8Array;
}

function draftOf(base: Base): Draft {
  const category = base.event === 'connected' || base.event === 'disconnected' ? 'connections' : 'messages';
  const headers = new Map<string, string | string[]>([
    ['X-ASRS-Connection-Id', base.connectionId],
    ['X-ASRS-Hub', HUB],
    ['X-ASRS-Category', category],
    ['X-ASRS-Event', base.event],
    ['X-ASRS-Signature', officialSignature(base.connectionId, [FUZZ_ACCESS_KEY, FUZZ_SECONDARY_KEY])],
    [
      'Content-Type',
      category === 'messages' && base.protocol === 'messagepack' ? 'application/x-msgpack' : 'application/json',
    ],
  ]);
  if (base.userId !== undefined) headers.set('X-ASRS-User-Id', base.userId);
  if (base.claims.length > 0)
    headers.set('X-ASRS-User-Claims', base.claims.map(([type, value]) => `${type}: ${value}`).join(', '));
  if (base.query !== undefined) headers.set('X-ASRS-Client-Query', base.query);
  let body: Uint8Array;
  if (base.event === 'connected') body = encoder.encode('{"type":10}');
  else if (base.event === 'disconnected')
    body = encoder.encode(
      base.closeError === undefined ? '{"Type":11}' : JSON.stringify({ Type: 11, Error: base.closeError }),
    );
  else {
    const invocation: InvocationMessage = {
      type: MessageType.Invocation,
      target: base.event,
      arguments: [...base.args],
      streamIds: [],
      headers: {},
      ...(base.invocationId === undefined ? {} : { invocationId: base.invocationId }),
    };
    body = unframedInvocation(base.protocol, invocation);
  }
  return { headers, body };
}

// ---------------------------------------------------------------------------------------------------
// Generators

/** Text a header can carry (the Functions host receives Latin-1 bytes; no CR, LF or NUL). */
function headerText(maxLength: number): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09)), {
      maxLength,
    })
    .map((codes) => String.fromCharCode(...codes).trim());
}

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const argument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((number) => (Object.is(number, -0) ? 0 : number)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, '', 'x'.repeat(5000)) },
);

const ARITY: Readonly<Record<EventName, number>> = {
  connected: 0,
  disconnected: 0,
  echo: 1,
  add: 2,
  broadcast: 1,
  fail: 1,
  explode: 0,
};

const base: fc.Arbitrary<Base> = fc
  .record({
    event: fc.constantFrom<EventName>('connected', 'disconnected', 'echo', 'add', 'broadcast', 'fail', 'explode'),
    protocol: fc.constantFrom<Protocol>('json', 'messagepack'),
    connectionId: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.base64String({ minLength: 4, maxLength: 32 }).map((text) => text.replace(/[+/=]/g, 'x')),
      },
      { weight: 1, arbitrary: headerText(40).filter((text) => text !== '') },
    ),
    userId: fc.option(
      headerText(30).filter((text) => text !== ''),
      { nil: undefined },
    ),
    claims: fc.array(
      fc.tuple(
        fc.constantFrom('sub', 'role', 'name', 'asrs.s.derror'),
        fc.oneof(fc.constantFrom('banned', 'admin', 'True'), headerText(12)),
      ),
      { maxLength: 3 },
    ),
    query: fc.option(
      fc.webQueryParameters().map((query) => `?${query}`),
      { nil: undefined },
    ),
    invocationId: fc.option(
      fc.oneof(
        fc.nat().map(String),
        headerText(20).filter((text) => text !== ''),
      ),
      { nil: undefined, freq: 3 },
    ),
    args: fc.array(argument, { maxLength: 3 }),
    closeError: fc.option(anyText(30), { nil: undefined }),
  })
  .chain((generated) =>
    // Mostly the right number of arguments, so that requests reach the hub methods.
    fc
      .boolean()
      .map((exactArity) =>
        exactArity
          ? { ...generated, args: [...generated.args, null, null].slice(0, ARITY[generated.event]) }
          : generated,
      ),
  );

const HEADER_NAMES = [
  'X-ASRS-Connection-Id',
  'X-ASRS-Hub',
  'X-ASRS-Category',
  'X-ASRS-Event',
  'X-ASRS-Signature',
  'Content-Type',
  'X-ASRS-User-Id',
  'X-ASRS-User-Claims',
  'X-ASRS-Client-Query',
] as const;

type Mutation =
  | { readonly kind: 'drop-header'; readonly name: string }
  | { readonly kind: 'rename-header'; readonly name: string; readonly spelling: string }
  | { readonly kind: 'set-header'; readonly name: string; readonly value: string }
  | { readonly kind: 'repeat-header'; readonly name: string; readonly value: string }
  | { readonly kind: 'signature'; readonly variant: number; readonly text: string }
  | { readonly kind: 'reconnect'; readonly connectionId: string; readonly resign: boolean }
  | { readonly kind: 'content-type'; readonly value: string }
  | { readonly kind: 'content-length'; readonly value: string }
  | { readonly kind: 'body-bytes'; readonly edits: readonly (readonly [number, number, number])[] }
  | { readonly kind: 'body-replace'; readonly variant: number; readonly bytes: Uint8Array; readonly text: string }
  | { readonly kind: 'body-size'; readonly size: number };

const headerName = fc.constantFrom(...HEADER_NAMES);
const commonMutation: fc.Arbitrary<Mutation> = fc.oneof(
  headerName.map((name) => ({ kind: 'drop-header' as const, name })),
  headerName.chain((name) =>
    fc.mixedCase(fc.constant(name)).map((spelling) => ({ kind: 'rename-header' as const, name, spelling })),
  ),
  fc
    .record({
      name: headerName,
      value: fc.oneof(
        headerText(60),
        fc.constantFrom('', 'messages', 'connections', 'CONNECTED', 'echo', 'FUZZ', 'other', ' '),
        headerText(3).map((text) => text.repeat(3000)),
      ),
    })
    .map((fields) => ({ kind: 'set-header' as const, ...fields })),
  fc
    .record({ name: headerName, value: headerText(20) })
    .map((fields) => ({ kind: 'repeat-header' as const, ...fields })),
  fc.record({ variant: fc.nat(9), text: headerText(80) }).map((fields) => ({ kind: 'signature' as const, ...fields })),
  fc
    .record({ connectionId: fc.oneof(headerText(40), fc.constant('')), resign: fc.boolean() })
    .map((fields) => ({ kind: 'reconnect' as const, ...fields })),
  fc
    .oneof(
      fc.constantFrom(
        'application/json; charset=utf-8',
        'APPLICATION/X-MSGPACK',
        'application/x-msgpack;v=1',
        'text/plain',
        '',
        'application/json, application/x-msgpack',
        'application/jsonx',
        'multipart/form-data; boundary=x',
      ),
      headerText(30),
    )
    .map((value) => ({ kind: 'content-type' as const, value })),
  fc
    .constantFrom('0', '1', '99999999999', '-1', 'abc', '1048577')
    .map((value) => ({ kind: 'content-length' as const, value })),
  fc
    .array(fc.tuple(fc.nat(3), fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 })
    .map((edits) => ({ kind: 'body-bytes' as const, edits })),
  fc
    .record({ variant: fc.nat(9), bytes: fc.uint8Array({ maxLength: 64 }), text: anyText(40) })
    .map((fields) => ({ kind: 'body-replace' as const, ...fields })),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 40, arbitrary: commonMutation },
  // Sizes around the 1 MiB limit: rare, as each costs megabytes.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1024 * 1024 - 64, 1024 * 1024 + 1, 2 * 1024 * 1024)
      .map((size): Mutation => ({ kind: 'body-size', size })),
  },
);

export interface FuzzCase {
  readonly base: Base;
  readonly mutations: readonly Mutation[];
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  base,
  mutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
  ),
});

function findHeader(draft: Draft, name: string): string | undefined {
  for (const key of draft.headers.keys()) if (key.toLowerCase() === name.toLowerCase()) return key;
  return undefined;
}

function setHeader(draft: Draft, name: string, value: string | string[]): void {
  const existing = findHeader(draft, name);
  if (existing !== undefined) draft.headers.delete(existing);
  draft.headers.set(name, value);
}

function headerValue(draft: Draft, name: string): string | undefined {
  const key = findHeader(draft, name);
  if (key === undefined) return undefined;
  const value = draft.headers.get(key);
  return Array.isArray(value) ? value.join(', ') : value;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength))));
}

function applyMutation(draft: Draft, item: Mutation, current: Base): void {
  switch (item.kind) {
    case 'drop-header': {
      const key = findHeader(draft, item.name);
      if (key !== undefined) draft.headers.delete(key);
      return;
    }
    case 'rename-header': {
      const key = findHeader(draft, item.name);
      if (key === undefined) return;
      const value = draft.headers.get(key) ?? '';
      draft.headers.delete(key);
      draft.headers.set(item.spelling, value);
      return;
    }
    case 'set-header':
      setHeader(draft, item.name, item.value);
      return;
    case 'repeat-header': {
      const existing = headerValue(draft, item.name);
      setHeader(draft, item.name, existing === undefined ? [item.value, item.value] : [existing, item.value]);
      return;
    }
    case 'signature': {
      const id = headerValue(draft, 'X-ASRS-Connection-Id') ?? current.connectionId;
      const valid = officialSignature(id, [FUZZ_ACCESS_KEY]);
      const variants = [
        valid.toLowerCase(),
        `  ${valid} ,, garbage`,
        officialSignature(id, ['not-the-key']),
        officialSignature(`${id}x`, [FUZZ_ACCESS_KEY]),
        valid.slice(0, -1),
        `${valid}0`,
        item.text,
        `sha1=${valid.slice(7)}`,
        Array.from({ length: 40 }, () => `sha256=${'A'.repeat(64)}`).join(',') + `,${valid}`,
        valid.replace('sha256=', 'SHA256='),
      ];
      setHeader(draft, 'X-ASRS-Signature', variants[item.variant % variants.length] ?? '');
      return;
    }
    case 'reconnect':
      setHeader(draft, 'X-ASRS-Connection-Id', item.connectionId);
      if (item.resign) setHeader(draft, 'X-ASRS-Signature', officialSignature(item.connectionId, [FUZZ_SECONDARY_KEY]));
      return;
    case 'content-type':
      setHeader(draft, 'Content-Type', item.value);
      return;
    case 'content-length':
      setHeader(draft, 'Content-Length', item.value);
      return;
    case 'body-bytes': {
      let body: Uint8Array = Uint8Array.from(draft.body);
      for (const [kind, at, byte] of item.edits) {
        const index = body.length === 0 ? 0 : at % body.length;
        if (kind === 0 && body.length > 0) body[index] = byte;
        else if (kind === 1) body = concat([body.subarray(0, index), body.subarray(index + 1)]);
        else if (kind === 2) body = concat([body.subarray(0, index), Uint8Array.of(byte), body.subarray(index)]);
        else body = body.slice(0, index);
      }
      draft.body = body;
      return;
    }
    case 'body-replace': {
      const text = item.text;
      const variants: (() => Uint8Array)[] = [
        () => item.bytes,
        () => new Uint8Array(0),
        () => encoder.encode(text),
        // The other protocol's encoding of the same invocation.
        () =>
          current.event === 'connected' || current.event === 'disconnected'
            ? item.bytes
            : unframedInvocation(current.protocol === 'json' ? 'messagepack' : 'json', {
                type: MessageType.Invocation,
                target: current.event,
                arguments: [...current.args],
                streamIds: [],
                headers: {},
              }),
        // UTF-16 and a byte-order mark: encodings the service never sends.
        () => new Uint8Array(Buffer.from(Buffer.from(draft.body).toString('latin1'), 'utf16le')),
        () => concat([Uint8Array.of(0xef, 0xbb, 0xbf), draft.body]),
        // A framed message where an unframed one is expected, and two messages in one body.
        () => concat([draft.body, Uint8Array.of(0x1e)]),
        () => concat([draft.body, Uint8Array.of(0x1e), draft.body]),
        // Deep nesting and odd JSON.
        () =>
          encoder.encode(`{"type":1,"target":"${current.event}","arguments":[${'['.repeat(5000)}${']'.repeat(5000)}]}`),
        () =>
          encoder.encode(
            `{"type":1,"target":"${current.event}","arguments":[1],"invocationId":${text.length},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`,
          ),
      ];
      draft.body = (variants[item.variant % variants.length] ?? (() => item.bytes))();
      return;
    }
    case 'body-size': {
      const padding = Math.max(0, item.size - draft.body.length);
      if (current.event === 'connected' || current.event === 'disconnected' || current.protocol === 'messagepack') {
        draft.body = concat([draft.body, new Uint8Array(padding).fill(0x20)]);
      } else {
        const big = 'y'.repeat(Math.max(0, padding - 40));
        draft.body = unframedInvocation('json', {
          type: MessageType.Invocation,
          target: current.event,
          arguments: [big, ...current.args].slice(0, Math.max(1, ARITY[current.event])),
          streamIds: [],
          headers: {},
          ...(current.invocationId === undefined ? {} : { invocationId: current.invocationId }),
        });
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The oracle and the checks

/** Whether any signature entry is a valid HMAC of the connection id, checked here with node:crypto. */
function signatureValid(connectionId: string | undefined, header: string | undefined): boolean {
  if (connectionId === undefined || header === undefined) return false;
  const expected = [FUZZ_ACCESS_KEY, FUZZ_SECONDARY_KEY].map((key) =>
    createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(connectionId, 'utf8')).digest(),
  );
  return header.split(',').some((entry) => {
    const match = /^sha256=([0-9a-f]{64})$/i.exec(entry.trim());
    if (match?.[1] === undefined) return false;
    const digest = Buffer.from(match[1], 'hex');
    return expected.some((candidate) => timingSafeEqual(candidate, digest));
  });
}

const SECRET_PARTS = [FUZZ_ACCESS_KEY, FUZZ_SECONDARY_KEY, APP_SECRET].flatMap((secret) =>
  Array.from({ length: secret.length - 11 }, (_, start) => secret.slice(start, start + 12)),
);
const LEAK_MARKERS = ['    at ', 'node_modules', '/home/', 'wwwroot', 'file://', '.ts:', '.js:', process.cwd()];

function leakIn(text: string): string | undefined {
  return [...SECRET_PARTS, ...LEAK_MARKERS].find((marker) => text.includes(marker));
}

const ALLOWED_STATUS = new Set([200, 400, 401, 403, 404, 413, 415]);

function decodeCompletions(protocol: Protocol, body: Uint8Array): OfficialHubMessage[] {
  if (protocol === 'json') return officialJson.parseMessages(Buffer.from(body).toString('utf8'), NullLogger.instance);
  const copy = body.slice();
  return officialMessagePack.parseMessages(copy.buffer, NullLogger.instance);
}

function expectedResult(
  item: Base,
):
  | { kind: 'result'; value: unknown }
  | { kind: 'void' }
  | { kind: 'error'; message: string }
  | { kind: 'status'; status: number } {
  const banned = item.claims.some(([type, value]) => type === 'role' && value === 'banned');
  if (banned) return item.event === 'disconnected' ? { kind: 'status', status: 200 } : { kind: 'status', status: 403 };
  switch (item.event) {
    case 'connected':
    case 'disconnected':
      return { kind: 'status', status: 200 };
    case 'echo':
      return { kind: 'result', value: item.args[0] };
    case 'add':
      return { kind: 'result', value: (item.args[0] as number) + (item.args[1] as number) };
    case 'broadcast':
      return { kind: 'void' };
    case 'fail':
      try {
        return { kind: 'error', message: `refused: ${String(item.args[0]).slice(0, 50)}` };
      } catch {
        // An argument such as {"toString": {}} makes the hub's own String() throw a TypeError: an unexpected failure.
        return { kind: 'error', message: "An unexpected error occurred invoking 'fail' on the server." };
      }
    case 'explode':
      return { kind: 'error', message: "An unexpected error occurred invoking 'explode' on the server." };
  }
}

// JSON.stringify gives undefined for undefined, functions and symbols, whatever its declared type says.
const stringify = JSON.stringify as (value: unknown) => string | undefined;

function jsonText(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** Normalizes values the way a JSON round trip does (what a client sees of them). */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(jsonText(value)) as unknown);
}

export interface FuzzStats {
  requests: number;
  undeliverable: number;
  byStatus: Map<number, number>;
  handlerRuns: number;
  pristine: number;
  failures: string[];
}

export function newStats(): FuzzStats {
  return { requests: 0, undeliverable: 0, byStatus: new Map(), handlerRuns: 0, pristine: 0, failures: [] };
}

function describeCase(item: FuzzCase): string {
  return JSON.stringify(item, (_key, value: unknown) =>
    value instanceof Uint8Array
      ? `<${value.length} bytes>`
      : typeof value === 'string' && value.length > 80
        ? `${value.slice(0, 80)}…(${value.length})`
        : value,
  );
}

/** Sends one fuzz case to the registered handler and checks the answer; returns a failure description or undefined. */
export async function runCase(item: FuzzCase, stats: FuzzStats): Promise<string | undefined> {
  const { functions } = registerFuzzHub();
  const fn = functions.get(item.base.event);
  if (fn === undefined) return `no function registered for ${item.base.event}`;
  const draft = draftOf(item.base);
  for (const step of item.mutations) applyMutation(draft, step, item.base);
  const headers: Record<string, string> = {};
  for (const [name, value] of draft.headers) headers[name] = Array.isArray(value) ? value.join(', ') : value;

  stats.requests++;
  let request: HttpRequest;
  try {
    request = new HttpRequest({
      method: 'POST',
      url: `http://localhost:7071/api/${fn.route}`,
      headers,
      body: { bytes: draft.body },
    });
  } catch {
    // Headers that no HTTP stack would deliver (e.g. an empty name) never reach a function.
    stats.undeliverable++;
    return undefined;
  }
  const lines: string[] = [];
  const context = new InvocationContext({
    invocationId: `fuzz-${String(stats.requests)}`,
    functionName: fn.name,
    logHandler: (_level, ...args) => {
      lines.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '));
    },
  });
  const runsBefore = FuzzHub.runs.length;
  let answer: HttpResponseInit;
  try {
    answer = await (
      fn.handler as unknown as (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>
    )(request, context);
  } catch (error) {
    return `the handler threw ${(error as Error).name}: ${(error as Error).message} for ${describeCase(item)}`;
  }
  const status = answer.status ?? 200;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  const ran = FuzzHub.runs.length > runsBefore;
  if (ran) stats.handlerRuns++;
  FuzzHub.runs.length = 0;

  const body =
    answer.body === undefined || answer.body === null
      ? new Uint8Array(0)
      : typeof answer.body === 'string'
        ? encoder.encode(answer.body)
        : (answer.body as Uint8Array);
  const text = Buffer.from(body).toString('latin1');
  const where = () => `status ${String(status)} for ${describeCase(item)}`;

  if (!ALLOWED_STATUS.has(status)) return `unexpected ${where()}: ${text.slice(0, 200)}`;
  const leak = leakIn(text);
  // Arguments the client sent come back from echo; only what the app or framework adds is a leak.
  if (leak !== undefined) return `the answer contains "${leak}": ${where()}`;
  for (const line of lines) {
    const part = SECRET_PARTS.find((secret) => line.includes(secret) && !APP_SECRET.includes(secret));
    if (part !== undefined) return `a log line contains part of an access key: ${line.slice(0, 200)}`;
  }

  const connectionId = headerValue(draft, 'X-ASRS-Connection-Id');
  const valid = signatureValid(connectionId, headerValue(draft, 'X-ASRS-Signature'));
  if (ran && !valid) return `the hub method ran without a valid signature: ${where()}`;
  if (!valid && (status === 200 || status === 403))
    return `a request without a valid signature was answered ${where()}`;

  if (item.mutations.length === 0) {
    stats.pristine++;
    return checkPristine(item.base, status, body, where);
  }
  if (status === 200 && body.length > 0) {
    const contentType = (answer.headers as Record<string, string> | undefined)?.['content-type'];
    const protocol: Protocol = contentType === 'application/x-msgpack' ? 'messagepack' : 'json';
    let messages: OfficialHubMessage[];
    try {
      messages = decodeCompletions(protocol, body);
    } catch (error) {
      return `a 200 answer is not a valid ${protocol} message (${(error as Error).message}): ${where()}`;
    }
    if (messages.length !== 1 || messages[0]?.type !== MessageType.Completion)
      return `a 200 answer is not one Completion: ${where()}`;
  }
  return undefined;
}

function checkPristine(item: Base, status: number, body: Uint8Array, where: () => string): string | undefined {
  const expected = expectedResult(item);
  const isInvoke = item.event !== 'connected' && item.event !== 'disconnected' && item.invocationId !== undefined;
  const arityOk = ARITY[item.event] === item.args.length || item.event === 'connected' || item.event === 'disconnected';
  // The argument count is checked before filters run.
  if (expected.kind === 'status' && arityOk)
    return status === expected.status ? undefined : `expected ${String(expected.status)}, got ${where()}`;
  if (!arityOk) {
    if (status !== 200) return `an argument count mismatch got ${where()}`;
    if (!isInvoke) return body.length === 0 ? undefined : `a send with the wrong argument count got a body: ${where()}`;
    const [completion] = decodeCompletions(item.protocol, body) as CompletionMessage[];
    return completion?.error?.startsWith('The function accept ') === true
      ? undefined
      : `expected the argument count error: ${where()}`;
  }
  if (expected.kind === 'status') return `unreachable: ${where()}`;
  if (!isInvoke) {
    // A failing send (explode) is answered 200 too: the C# extension only logs it.
    return status === 200 && body.length === 0 ? undefined : `expected 200 with no body for a send: ${where()}`;
  }
  if (status !== 200) return `expected 200: ${where()}`;
  const messages = decodeCompletions(item.protocol, body);
  const completion = messages[0] as CompletionMessage | undefined;
  if (
    messages.length !== 1 ||
    completion?.type !== MessageType.Completion ||
    completion.invocationId !== item.invocationId
  )
    return `expected one Completion for the invocation: ${where()}`;
  if (expected.kind === 'error')
    return completion.error === expected.message
      ? undefined
      : `expected the error "${expected.message}", got "${String(completion.error)}": ${where()}`;
  // The C# extension writes `result: null` for a method that returns nothing.
  if (expected.kind === 'void')
    return completion.result === null && completion.error === undefined
      ? undefined
      : `expected a null result: ${where()}`;
  const same = jsonText(asJson(completion.result)) === jsonText(asJson(expected.value));
  return same
    ? undefined
    : `expected the result ${jsonText(expected.value).slice(0, 100)}, got ${jsonText(completion.result).slice(0, 100)}: ${where()}`;
}

/**
 * Runs `count` fuzz cases (sequentially: each completes before the next, as one function instance would
 * take them) and returns the statistics; failures are collected, and the first few are reported.
 */
export async function runFuzz(count: number, seed: number): Promise<FuzzStats> {
  const stats = newStats();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  try {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (item) => {
        const failure = await runCase(item, stats);
        if (failure !== undefined) {
          stats.failures.push(failure);
          throw new Error(failure);
        }
      }),
      { numRuns: count, seed, endOnFailure: true },
    );
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  }
  if (unhandled.length > 0)
    stats.failures.push(`${String(unhandled.length)} unhandled errors, e.g. ${String(unhandled[0])}`);
  return stats;
}
