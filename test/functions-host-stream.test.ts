// HTTP streams: with app.setup({ enableHttpStream: true }) the library serves requests on its own stream
// server, and the host forwards each request there with its invocation id (azure-functions-nodejs-library,
// src/http/httpProxy.ts). A file of its own: the setting holds for the whole process, as in the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import { createFunctionsHost } from '@serverless-hub/emulator';
import type { FunctionsHost } from '@serverless-hub/emulator';

let host: FunctionsHost;

beforeAll(async () => {
  host = createFunctionsHost({ port: 0, logLevel: 'silent' });
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
});
