import { Agent as HttpAgent } from 'node:http';
import { httpsModule } from './lazy-builtins.js';

// One keep-alive pool per scheme for the whole process: every hub client to the same service reuses
// its connections. Idle sockets close after 30 s (or sooner when the server's Keep-Alive header says so),
// well before the service's and load balancers' idle limits, so a request rarely meets a dead socket.
const AGENT_OPTIONS = {
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: 128,
  maxFreeSockets: 32,
  timeout: 30_000,
  scheduling: 'lifo',
} as const;

let httpAgent: HttpAgent | undefined;
let httpsAgent: HttpAgent | undefined;

/** The shared keep-alive agent for `https` (`secure`) or `http` REST calls, created on first use. */
export function defaultAgent(secure: boolean): HttpAgent {
  if (secure) return (httpsAgent ??= new (httpsModule().Agent)(AGENT_OPTIONS));
  return (httpAgent ??= new HttpAgent(AGENT_OPTIONS));
}
