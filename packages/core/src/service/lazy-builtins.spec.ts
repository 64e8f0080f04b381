import * as https from 'node:https';
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultAgent } from './default-agent.js';
import { httpsModule, osModule } from './lazy-builtins.js';

describe('built-in modules loaded on first use', () => {
  it('are the modules themselves', () => {
    expect(httpsModule().request).toBe(https.request);
    expect(httpsModule().Agent).toBe(https.Agent);
    expect(osModule().release()).toBe(os.release());
  });

  it('give https REST calls an https keep-alive agent, shared, and http calls another', () => {
    const secure = defaultAgent(true);
    expect(secure).toBeInstanceOf(https.Agent);
    expect(secure).toHaveProperty('keepAlive', true);
    expect(defaultAgent(true)).toBe(secure);
    expect(defaultAgent(false)).not.toBeInstanceOf(https.Agent);
  });
});
