// Moving from the C# class-based model without touching the clients: negotiate at /api/negotiate for
// clients whose base URL is /api, no negotiate function at all, %AppSetting% references in binding
// options, and the diagnostic-client and close-on-expiration negotiate options.
import { app as functionsApp } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { Hub, ServerlessHub, registerHubs, silentUpstreamLogger } from '@serverless-hub/core';
import { getRegisteredFunctions, EMULATOR_CONNECTION_STRING, createHubTestBed } from '@serverless-hub/core/testing';
import type { FunctionsApp, ServerlessHubError, UpstreamLogger } from '@serverless-hub/core';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { protocolOf, startHubsOnLocalHost, transports } from './emulator-helpers.js';
import type { HubsOnLocalHost } from './emulator-helpers.js';

const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };

function failure(run: () => unknown): ServerlessHubError {
  try {
    run();
  } catch (error) {
    return error as ServerlessHubError;
  }
  throw new Error('expected a failure');
}

describe('a negotiate route of the hub’s choice', () => {
  @Hub({ name: 'legacy', negotiateRoute: 'negotiate' })
  class Legacy extends ServerlessHub {
    echo(value: unknown): unknown {
      return value;
    }
  }

  let local: HubsOnLocalHost;

  beforeAll(async () => {
    local = await startHubsOnLocalHost(() => registerHubs(functionsApp, [Legacy], { logger: silentUpstreamLogger }));
  });

  afterAll(() => local.close());

  it('registers negotiate at that route and the upstream functions where they were', () => {
    const routes = getRegisteredFunctions()
      .filter((fn) => fn.hub === 'legacy' && fn.trigger === 'http')
      .map((fn) => (fn.trigger === 'http' ? fn.route : ''));
    expect(routes).toEqual(['negotiate', 'legacy/messages/echo']);
  });

  it.each(['json', 'messagepack'] as const)(
    'connects a client built with the base URL /api, as for a C# app (%s)',
    async (protocol) => {
      // The official client appends /negotiate to the base URL: /api → /api/negotiate.
      const connection = new HubConnectionBuilder()
        .withUrl(`${local.functionsHost.url}/api`, { transport: transports.WebSockets })
        .withHubProtocol(protocolOf(protocol))
        .configureLogging(LogLevel.None)
        .build();
      await connection.start();
      try {
        await expect(connection.invoke('echo', { migrated: true })).resolves.toEqual({ migrated: true });
      } finally {
        await connection.stop();
      }
    },
  );
});

describe('negotiate routes: none, collisions and refusals', () => {
  it('registers no negotiate function with negotiateRoute: false, and says so in the registration log', () => {
    @Hub({ name: 'nonego', negotiateRoute: false })
    class NoNegotiate extends ServerlessHub {
      ping(): string {
        return 'pong';
      }
    }
    const lines: string[] = [];
    const logger: UpstreamLogger = { log: (_level, message) => void lines.push(message) };
    const { functions } = registerHubs(NO_HOST, [NoNegotiate], { logger });
    expect(functions.map((fn) => fn.role)).toEqual(['upstream']);
    expect(lines[0]).toContain('no negotiate function');
  });

  it('refuses two hubs on one negotiate route, and routes that are not plain segments', () => {
    @Hub({ name: 'first', negotiateRoute: 'shared/negotiate' })
    class First extends ServerlessHub {}
    @Hub({ name: 'second', negotiateRoute: 'Shared/Negotiate' })
    class Second extends ServerlessHub {}
    const collision = failure(() => registerHubs(NO_HOST, [First, Second]));
    expect(collision.code).toBe('HUB_REGISTRATION_INVALID');
    expect(collision.message).toMatch(/would both serve the route "Shared\/Negotiate"/);
    for (const route of ['', '/negotiate', 'a/../b', '{hub}/negotiate', 'neg otiate', 7]) {
      @Hub({ name: 'badroute', negotiateRoute: route as string })
      class BadRoute extends ServerlessHub {}
      expect(failure(() => registerHubs(NO_HOST, [BadRoute])).message).toMatch(
        /negotiateRoute of BadRoute is .*plain segments/,
      );
    }
  });
});

describe('%AppSetting% references in binding options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['ChatConnectionSettingName', 'ChatSignalR', 'UserIdExpression']) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
  });

  it('resolves the connection string setting name and the negotiate options, as the Functions host does for C#', async () => {
    process.env.ChatConnectionSettingName = 'ChatSignalR';
    process.env.ChatSignalR = EMULATOR_CONNECTION_STRING;
    process.env.UserIdExpression = '{headers.x-user}';
    @Hub({
      name: 'settings',
      connectionStringSetting: '%ChatConnectionSettingName%',
      negotiate: { userId: '%UserIdExpression%' },
    })
    class Settings extends ServerlessHub {
      echo(value: unknown): unknown {
        return value;
      }
    }
    const bed = createHubTestBed([Settings]);
    try {
      const answer = await bed.negotiate({ headers: { 'x-user': 'alice' } });
      expect(answer.status).toBe(200);
      expect(decodeJwt((answer.json as { accessToken: string }).accessToken)['asrs.s.uid']).toBe('alice');
      // Upstream requests are signed with the key of the resolved setting, and checked with it.
      expect((await bed.invoke('echo', [1])).completion?.result).toBe(1);
    } finally {
      bed.dispose();
    }
  });

  it('names an app setting that a reference points to but is not set', () => {
    @Hub({ name: 'unset', connectionStringSetting: '%NoSuchSetting%' })
    class Unset extends ServerlessHub {}
    const error = failure(() => registerHubs(NO_HOST, [Unset]));
    expect(error.code).toBe('SETTING_MISSING');
    expect(error.message).toMatch(/refers to the app setting NoSuchSetting \(%NoSuchSetting%\), which is not set/);
  });
});

describe('diagnostic clients and closing on expiry in @Hub negotiate options', () => {
  // Claims from Azure/azure-signalr, src/Microsoft.Azure.SignalR.Common/Constants.cs (ClaimType.DiagnosticClient,
  // CloseOnAuthExpiration, AuthExpiresOn) and Utilities/ClaimsUtility.cs (BuildJwtClaims writes "true").
  it('puts asrs.s.dc, asrs.s.coae and asrs.s.aeo into the token the registered negotiate function issues', async () => {
    @Hub({
      name: 'diag',
      negotiate: { isDiagnosticClient: true, closeOnAuthenticationExpiration: true, lifetime: 300 },
    })
    class Diagnostic extends ServerlessHub {}
    const bed = createHubTestBed([Diagnostic]);
    try {
      const answer = await bed.negotiate();
      const claims = decodeJwt((answer.json as { accessToken: string }).accessToken);
      expect(claims['asrs.s.dc']).toBe('true');
      expect(claims['asrs.s.coae']).toBe('true');
      expect(claims['asrs.s.aeo']).toBe(String(claims.exp));
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    } finally {
      bed.dispose();
    }
  });

  it('refuses a non-boolean flag at registration', () => {
    @Hub({ name: 'diagbad', negotiate: { isDiagnosticClient: 'yes' as never } })
    class DiagnosticBad extends ServerlessHub {}
    expect(failure(() => registerHubs(NO_HOST, [DiagnosticBad])).message).toMatch(
      /isDiagnosticClient must be true or false/,
    );
  });
});
