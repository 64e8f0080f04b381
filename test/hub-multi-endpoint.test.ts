// Upstream requests signed with the key of any configured endpoint (multi-endpoint settings,
// `Azure__SignalR__Endpoints__<name>[__primary|__secondary]`) are accepted; others are not.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { Hub, ServerlessHub, registerHubs } from '@serverless-hub/core';
import {
  clearRegisteredFunctions,
  createTestInvocationContext,
  createUpstreamRequest,
  readUpstreamResponse,
} from '@serverless-hub/core/testing';
import type { FunctionsApp, RegisteredHttpFunction } from '@serverless-hub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const MAIN_KEY = 'MAIN-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const EAST_SECONDARY_KEY = 'EAST-SECONDARY-KEY-ABCDEFGHIJKLMNOPQRSTU';
const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
const SETTINGS = ['AzureSignalRConnectionString', 'Azure__SignalR__Endpoints__east__secondary'] as const;

@Hub('multi')
class Multi extends ServerlessHub {
  echo(value: unknown): unknown {
    return value;
  }
}

describe('upstream keys from multi-endpoint settings', () => {
  let echo: RegisteredHttpFunction;

  beforeEach(() => {
    clearRegisteredFunctions();
    const registered = registerHubs(NO_HOST, [Multi]);
    const found = registered.functions.find(
      (fn): fn is RegisteredHttpFunction => fn.trigger === 'http' && fn.route === 'multi/messages/echo',
    );
    if (found === undefined) throw new Error('the echo function was not registered');
    echo = found;
  });

  afterEach(() => {
    for (const name of SETTINGS) Reflect.deleteProperty(process.env, name);
    clearRegisteredFunctions();
  });

  async function invokeSignedWith(key: string): Promise<Awaited<ReturnType<typeof readUpstreamResponse>>> {
    const request = createUpstreamRequest({ hub: 'multi', event: 'echo', arguments: ['hi'], accessKeys: [key] });
    const handler = echo.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit>;
    return readUpstreamResponse(await handler(request, createTestInvocationContext(echo.name).context));
  }

  it('accepts the hub connection string key and every named endpoint key, and refuses others', async () => {
    process.env.AzureSignalRConnectionString = `Endpoint=https://main.service.signalr.net;AccessKey=${MAIN_KEY};Version=1.0;`;
    process.env.Azure__SignalR__Endpoints__east__secondary = `Endpoint=https://east.service.signalr.net;AccessKey=${EAST_SECONDARY_KEY};Version=1.0;`;

    expect((await invokeSignedWith(MAIN_KEY)).completion?.result).toBe('hi');
    expect((await invokeSignedWith(EAST_SECONDARY_KEY)).completion?.result).toBe('hi');
    const refused = await invokeSignedWith('SOME-OTHER-KEY-ABCDEFGHIJKLMNOPQRSTUVWX');
    expect(refused.status).toBe(401);
  });

  it('works with named endpoints alone when the hub setting is absent', async () => {
    process.env.Azure__SignalR__Endpoints__east__secondary = `Endpoint=https://east.service.signalr.net;AccessKey=${EAST_SECONDARY_KEY};Version=1.0;`;
    expect((await invokeSignedWith(EAST_SECONDARY_KEY)).completion?.result).toBe('hi');
    expect((await invokeSignedWith(MAIN_KEY)).status).toBe(401);
  });
});
