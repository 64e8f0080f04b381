import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import type { HttpResponseInit, LogLevel } from '@azure/functions';
import { DEFAULT_MAX_UPSTREAM_BODY_BYTES, createAzureFunctionsAdapter } from '@serverless-hub/core/upstream';
import { describe, expect, it } from 'vitest';
import { assertAnswer, createRecorder, createTestDispatcher, upstreamScenarios } from './upstream-scenarios.js';
import type { Recorder } from './upstream-scenarios.js';
import { invocationBody, officialCompletion, serviceRequest } from './upstream-service-request.js';
import type { ServiceRequest } from './upstream-service-request.js';

const LEVELS: Partial<Record<LogLevel, string>> = {
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
};

function invocationContext(recorder: Recorder): InvocationContext {
  return new InvocationContext({
    invocationId: 'test-invocation',
    functionName: 'chat_upstream',
    logHandler: (level, ...args) => {
      recorder.logs.push({ level: LEVELS[level] ?? level, message: String(args[0]), error: args[1] });
    },
  });
}

function httpRequest(request: ServiceRequest, extraHeaders?: Record<string, string>): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/chat/upstream',
    headers: { ...request.headers, ...extraHeaders },
    body: { bytes: request.body },
  });
}

async function answerOf(
  init: HttpResponseInit,
): Promise<{ status: number; contentType: string | null; body: Uint8Array }> {
  // Through HttpResponse, as the Functions worker turns the returned init into the HTTP answer.
  const response = new HttpResponse(init);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

describe('Azure Functions upstream adapter', () => {
  for (const scenario of upstreamScenarios()) {
    it(scenario.name, async () => {
      const recorder = createRecorder();
      const handler = createAzureFunctionsAdapter(createTestDispatcher(recorder));
      const context = invocationContext(recorder);
      const answer = await answerOf(await handler(httpRequest(scenario.request), context));
      assertAnswer(answer, scenario.answer);
      scenario.verify?.(recorder);
      for (const call of recorder.calls) {
        expect(call.call.host).toBe(context);
        expect(call.call.signal.aborted).toBe(false);
      }
    });
  }

  it('writes failures with their stack to the function log, never to the answer', async () => {
    const recorder = createRecorder();
    const handler = createAzureFunctionsAdapter(createTestDispatcher(recorder));
    const request = serviceRequest({
      category: 'messages',
      event: 'fail',
      body: invocationBody('json', { invocationId: '1', target: 'fail', arguments: [] }),
    });
    await handler(httpRequest(request), invocationContext(recorder));
    const entry = recorder.logs.find((log) => log.level === 'error');
    expect(entry?.message).toContain("'fail' on hub 'chat'");
    expect((entry?.error as Error).stack).toContain('upstream-scenarios');
  });

  describe('body limit', () => {
    // A JSON invocation whose unframed body is exactly `size` bytes, and the argument it carries.
    function invocationOfSize(size: number): { request: ServiceRequest; argument: string } {
      const empty = invocationBody('json', { invocationId: '1', target: 'echo', arguments: [''] }).length;
      const argument = 'x'.repeat(size - empty);
      const body = invocationBody('json', { invocationId: '1', target: 'echo', arguments: [argument] });
      return { request: serviceRequest({ category: 'messages', event: 'echo', body }), argument };
    }

    it('accepts a body of exactly 1 MiB', async () => {
      const recorder = createRecorder();
      const handler = createAzureFunctionsAdapter(createTestDispatcher(recorder));
      const { request, argument } = invocationOfSize(DEFAULT_MAX_UPSTREAM_BODY_BYTES);
      expect(request.body.length).toBe(1024 * 1024);
      const answer = await answerOf(await handler(httpRequest(request), invocationContext(recorder)));
      expect(answer.status).toBe(200);
      expect(
        Buffer.from(answer.body).equals(
          Buffer.from(officialCompletion('json', { invocationId: '1', result: argument })),
        ),
      ).toBe(true);
    });

    it('answers 413 to a body one byte over the limit, without running the handler', async () => {
      const recorder = createRecorder();
      const handler = createAzureFunctionsAdapter(createTestDispatcher(recorder));
      const answer = await answerOf(
        await handler(
          httpRequest(invocationOfSize(DEFAULT_MAX_UPSTREAM_BODY_BYTES + 1).request),
          invocationContext(recorder),
        ),
      );
      expect(answer.status).toBe(413);
      expect(Buffer.from(answer.body).toString()).toBe('The request body is larger than the limit of 1048576 bytes.');
      expect(recorder.calls).toHaveLength(0);
    });

    it('answers 413 from the declared Content-Length before reading, and honours a custom limit', async () => {
      const recorder = createRecorder();
      const handler = createAzureFunctionsAdapter(createTestDispatcher(recorder), { maxBodyBytes: 10 });
      const small = serviceRequest({
        category: 'connections',
        event: 'connected',
        body: new TextEncoder().encode('{"type":10}'),
      });
      const answer = await answerOf(
        await handler(httpRequest(small, { 'content-length': '11' }), invocationContext(recorder)),
      );
      expect(answer.status).toBe(413);
      expect(Buffer.from(answer.body).toString()).toBe('The request body is larger than the limit of 10 bytes.');
    });

    it('refuses an invalid limit when the adapter is built', () => {
      const dispatcher = createTestDispatcher(createRecorder());
      expect(() => createAzureFunctionsAdapter(dispatcher, { maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
      expect(() => createAzureFunctionsAdapter(dispatcher, { maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
    });
  });
});
