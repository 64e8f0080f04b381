// HTTP streams: with app.setup({ enableHttpStream: true }) the library serves requests on its own stream
// server, and the host forwards each request there with its invocation id (azure-functions-nodejs-library,
// src/http/httpProxy.ts). A file of its own: the setting holds for the whole process, as in the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import { createFunctionsHost } from '@serverless-hub/emulator';
import type { FunctionsHost } from '@serverless-hub/emulator';
import { postBytes } from './large-body-harness.js';

let host: FunctionsHost;
const HOST_LIMIT = 8 * 1024 * 1024;
const HANDLER_LIMIT = 64 * 1024;

beforeAll(async () => {
  host = createFunctionsHost({ port: 0, logLevel: 'silent', maxRequestBodyBytes: HOST_LIMIT });
  app.setup({ enableHttpStream: true });
  app.http('upload', {
    methods: ['POST'],
    route: 'upload/{name}',
    handler: async (request) => {
      let bytes = 0;
      for await (const chunk of request.body ?? []) bytes += (chunk as Uint8Array).length;
      return {
        jsonBody: {
          name: request.params.name,
          bytes,
          type: request.headers.get('content-type'),
          query: request.query.get('q'),
        },
      };
    },
  });
  app.http('chunks', {
    methods: ['GET'],
    handler: () => {
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 1;
          if (sent > 3) controller.close();
          else controller.enqueue(encoder.encode(`chunk ${String(sent)}\n`));
        },
      });
      return { status: 206, headers: { 'x-kind': 'stream' }, body };
    },
  });
  // Answers without reading the body, as negotiate does.
  app.http('ignores', { methods: ['POST'], handler: () => ({ status: 202, body: 'ignored' }) });
  // Stops reading at a limit of its own, as the upstream adapters do.
  app.http('small', {
    methods: ['POST'],
    handler: async (request) => {
      let bytes = 0;
      for await (const chunk of request.body ?? []) {
        bytes += (chunk as Uint8Array).length;
        if (bytes > HANDLER_LIMIT) return { status: 413, body: 'too large for this function' };
      }
      return { status: 200, body: String(bytes) };
    },
  });
  app.http('fails', { methods: ['GET'], handler: () => Promise.reject(new Error('stream failure')) });
  await host.start();
});

afterAll(async () => {
  await host.close();
});

describe('the local functions host with enableHttpStream', () => {
  it('streams the request body to the handler, with route parameters, headers and query', async () => {
    const answer = await fetch(`${host.url}/api/upload/big?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(3 * 1024 * 1024),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      name: 'big',
      bytes: 3 * 1024 * 1024,
      type: 'application/octet-stream',
      query: '1',
    });
  });

  it('streams the handler body back with its status and headers', async () => {
    const answer = await fetch(`${host.url}/api/chunks`);
    expect([answer.status, answer.headers.get('x-kind'), await answer.text()]).toEqual([
      206,
      'stream',
      'chunk 1\nchunk 2\nchunk 3\n',
    ]);
  });

  it('answers 500 when the handler fails', async () => {
    const answer = await fetch(`${host.url}/api/fails`);
    expect([answer.status, await answer.text()]).toEqual([500, '']);
  });

  // The request body is read only as far as the function reads it, so that a function's own limit stops the
  // upload there; the host's limit (azure-functions-host: 100 MB, `maxRequestBodyBytes` here) still holds.
  it('answers a function that did not read the body with its own answer', async () => {
    const answer = await postBytes(`${host.url}/api/ignores`, HOST_LIMIT - 1);
    expect(answer).toEqual({ status: 202, body: 'ignored' });
  });

  it("passes a function's own body limit through, without reading the rest into memory", async () => {
    expect(await postBytes(`${host.url}/api/small`, HOST_LIMIT - 1)).toEqual({
      status: 413,
      body: 'too large for this function',
    });
    expect(await postBytes(`${host.url}/api/small`, HANDLER_LIMIT)).toEqual({
      status: 200,
      body: String(HANDLER_LIMIT),
    });
  });

  it('refuses a body over the host limit with 413, announced or not', async () => {
    const announced = await postBytes(`${host.url}/api/upload/x`, HOST_LIMIT + 1);
    expect(announced.status).toBe(413);
    expect(announced.body).toContain(String(HOST_LIMIT));
    const chunked = await postBytes(`${host.url}/api/upload/x`, HOST_LIMIT + 1, { chunked: true });
    expect(chunked.status).toBe(413);
    // The host is still serving.
    expect((await postBytes(`${host.url}/api/ignores`, 10)).status).toBe(202);
  });
});
