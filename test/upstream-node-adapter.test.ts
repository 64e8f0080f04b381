import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_MAX_UPSTREAM_BODY_BYTES,
  UpstreamDispatcher,
  createNodeHttpAdapter,
  createUpstreamAuthenticator,
} from '@serverless-hub/core/upstream';
import type { UpstreamDispatcher as Dispatcher } from '@serverless-hub/core/upstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertAnswer, createRecorder, createTestDispatcher, upstreamScenarios } from './upstream-scenarios.js';
import type { Recorder } from './upstream-scenarios.js';
import {
  PRIMARY_KEY,
  connectedBody,
  invocationBody,
  officialCompletion,
  serviceRequest,
} from './upstream-service-request.js';
import type { ServiceRequest } from './upstream-service-request.js';

let server: Server;
let baseUrl: string;
let recorder: Recorder = createRecorder();
let listener = createNodeHttpAdapter(createTestDispatcher(recorder));

beforeAll(async () => {
  // One server; each test swaps in the listener it needs.
  server = createServer((request, response) => {
    listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
});

afterEach(() => {
  recorder = createRecorder();
  listener = createNodeHttpAdapter(createTestDispatcher(recorder));
});

async function post(
  request: ServiceRequest,
  init?: RequestInit,
): Promise<{ status: number; contentType: string | null; body: Uint8Array }> {
  const response = await fetch(`${baseUrl}/api/upstream`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    ...init,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

describe('Node http upstream adapter', () => {
  for (const scenario of upstreamScenarios()) {
    it(scenario.name, async () => {
      assertAnswer(await post(scenario.request), scenario.answer);
      scenario.verify?.(recorder);
      for (const call of recorder.calls) {
        expect(call.call.host).toBeUndefined();
        expect(call.call.signal).toBeInstanceOf(AbortSignal);
      }
    });
  }

  it('answers 405 to anything but POST', async () => {
    const response = await fetch(`${baseUrl}/api/upstream`, { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.text()).toBe('The upstream endpoint accepts POST only, not GET.');
  });

  it('writes a Content-Length on every answer', async () => {
    const request = serviceRequest({
      category: 'messages',
      event: 'add',
      body: invocationBody('json', { invocationId: '3', target: 'add', arguments: [1, 2] }),
    });
    const response = await fetch(`${baseUrl}/api/upstream`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const expected = officialCompletion('json', { invocationId: '3', result: 3 });
    expect(response.headers.get('content-length')).toBe(String(expected.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(expected))).toBe(true);
  });

  describe('body limit', () => {
    function invocationOfSize(size: number): { request: ServiceRequest; argument: string } {
      const empty = invocationBody('json', { invocationId: '1', target: 'echo', arguments: [''] }).length;
      const argument = 'y'.repeat(size - empty);
      return {
        request: serviceRequest({
          category: 'messages',
          event: 'echo',
          body: invocationBody('json', { invocationId: '1', target: 'echo', arguments: [argument] }),
        }),
        argument,
      };
    }

    it('accepts a body of exactly 1 MiB', async () => {
      const { request, argument } = invocationOfSize(DEFAULT_MAX_UPSTREAM_BODY_BYTES);
      const answer = await post(request);
      expect(answer.status).toBe(200);
      expect(
        Buffer.from(answer.body).equals(
          Buffer.from(officialCompletion('json', { invocationId: '1', result: argument })),
        ),
      ).toBe(true);
    });

    it('answers 413 from the declared Content-Length, before the handler', async () => {
      const answer = await post(invocationOfSize(DEFAULT_MAX_UPSTREAM_BODY_BYTES + 1).request);
      expect(answer.status).toBe(413);
      expect(Buffer.from(answer.body).toString()).toBe('The request body is larger than the limit of 1048576 bytes.');
      expect(recorder.calls).toHaveLength(0);
    });

    it('answers 413 while streaming a chunked body that grows past the limit', async () => {
      const { request } = invocationOfSize(DEFAULT_MAX_UPSTREAM_BODY_BYTES + 64 * 1024);
      const url = new URL(baseUrl);
      const response = await new Promise<{ status: number; body: string; connection: string | undefined }>(
        (resolve, reject) => {
          const outgoing = httpRequest(
            {
              host: url.hostname,
              port: url.port,
              method: 'POST',
              path: '/api/upstream',
              headers: { ...request.headers, 'transfer-encoding': 'chunked' },
            },
            (incoming: IncomingMessage) => {
              const chunks: Buffer[] = [];
              incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
              incoming.on('end', () => {
                resolve({
                  status: incoming.statusCode ?? 0,
                  body: Buffer.concat(chunks).toString(),
                  connection: incoming.headers.connection,
                });
              });
            },
          );
          // The server may close the connection before the whole upload is written; the answer counts.
          outgoing.on('error', (error) => {
            if (
              (error as NodeJS.ErrnoException).code !== 'EPIPE' &&
              (error as NodeJS.ErrnoException).code !== 'ECONNRESET'
            )
              reject(error);
          });
          for (let offset = 0; offset < request.body.length; offset += 64 * 1024) {
            outgoing.write(request.body.subarray(offset, offset + 64 * 1024));
          }
          outgoing.end();
        },
      );
      expect(response.status).toBe(413);
      expect(response.body).toBe('The request body is larger than the limit of 1048576 bytes.');
      expect(response.connection).toBe('close');
      expect(recorder.calls).toHaveLength(0);
    });
  });

  describe('caller disconnects', () => {
    it('aborts the handler signal and writes nothing', async () => {
      let signalSeen: AbortSignal | undefined;
      let handlerStarted!: () => void;
      const started = new Promise<void>((resolve) => (handlerStarted = resolve));
      let finishHandler!: () => void;
      const aborted = new Promise<void>((resolve) => (finishHandler = resolve));
      const dispatcher: Dispatcher = new UpstreamDispatcher({
        authenticator: createUpstreamAuthenticator({ accessKeys: [PRIMARY_KEY] }),
        handlers: [
          {
            hub: 'chat',
            category: 'connections',
            event: 'connected',
            handler: async (_context, call) => {
              signalSeen = call.signal;
              handlerStarted();
              await new Promise<void>((resolve) => {
                call.signal.addEventListener(
                  'abort',
                  () => {
                    resolve();
                  },
                  { once: true },
                );
              });
              finishHandler();
            },
          },
        ],
      });
      listener = createNodeHttpAdapter(dispatcher);
      const controller = new AbortController();
      const request = serviceRequest({ category: 'connections', event: 'connected', body: connectedBody() });
      const pending = fetch(`${baseUrl}/api/upstream`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
      });
      await started;
      expect(signalSeen?.aborted).toBe(false);
      controller.abort();
      await expect(pending).rejects.toThrow();
      await aborted;
      expect(signalSeen?.aborted).toBe(true);
    });
  });

  it('refuses an invalid limit when the adapter is built', () => {
    expect(() => createNodeHttpAdapter(createTestDispatcher(createRecorder()), { maxBodyBytes: -1 })).toThrow(
      /maxBodyBytes/,
    );
  });
});
