// Filters apply to every event, connecting included: a hub with class or global filters but no
// onConnected still gets a connected function, so a filter can refuse the connection with 403.
import { Hub, ServerlessHub, UseFilters } from '@serverless-hub/core';
import type { HubInvocationContext } from '@serverless-hub/core';
import { createHubTestBed } from '@serverless-hub/core/testing';
import type { HubTestBed } from '@serverless-hub/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const membersOnly = (context: HubInvocationContext): boolean => context.claims.member === 'true';

@Hub('guarded')
@UseFilters(membersOnly)
class Guarded extends ServerlessHub {
  echo(value: unknown): unknown {
    return value;
  }
}

@Hub('open')
class Open extends ServerlessHub {
  echo(value: unknown): unknown {
    return value;
  }
}

describe('connect guard', () => {
  let bed: HubTestBed | undefined;
  afterEach(() => {
    bed?.dispose();
    bed = undefined;
  });

  it('registers a connected function for a hub with class filters and no onConnected, and runs the filters', async () => {
    bed = createHubTestBed([Guarded]);
    expect(bed.functions.some((fn) => fn.trigger === 'http' && fn.route === 'guarded/connections/connected')).toBe(
      true,
    );
    expect((await bed.connect({ claims: { member: 'true' } })).status).toBe(200);
    expect((await bed.connect({ claims: { member: 'false' } })).status).toBe(403);
  });

  it('registers one for global filters too', async () => {
    bed = createHubTestBed([Open], { filters: [membersOnly] });
    expect(bed.functions.some((fn) => fn.trigger === 'http' && fn.route === 'open/connections/connected')).toBe(true);
    expect((await bed.connect({ claims: {} })).status).toBe(403);
    expect((await bed.connect({ claims: { member: 'true' } })).status).toBe(200);
  });

  it('registers none for a hub without filters or onConnected', () => {
    bed = createHubTestBed([Open]);
    expect(bed.functions.some((fn) => fn.category === 'connections')).toBe(false);
  });
});
