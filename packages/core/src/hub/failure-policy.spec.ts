import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { HubError } from '../upstream/hub-error.js';
import {
  CALL_DENIED,
  CONNECTION_REFUSED,
  NEGOTIATION_FAILED,
  eventFailure,
  negotiateFailure,
} from './failure-policy.js';
import type { FailedEvent } from './failure-policy.js';

const message: FailedEvent = {
  where: "'send' on hub 'chat'",
  event: 'send',
  isConnected: false,
  isDisconnected: false,
  answerable: true,
  detailed: false,
};
const send: FailedEvent = { ...message, answerable: false };
const connected: FailedEvent = { ...message, event: 'connected', isConnected: true };
const disconnected: FailedEvent = { ...message, event: 'disconnected', isDisconnected: true };

const denial = new ServerlessHubError('UPSTREAM_FORBIDDEN', 'not a member');
const hubError = new HubError('Unknown room.');
const badArguments = new ServerlessHubError(
  'HUB_ARGUMENTS_INVALID',
  'The function accept 1 arguments but message provided 2.',
);
const crash = new TypeError('x is not a function');

describe('eventFailure', () => {
  it('answers an invocation with the message of a HubError or an argument check, and a generic text for a crash', () => {
    expect(eventFailure(hubError, message).answer).toEqual({ kind: 'complete', error: 'Unknown room.' });
    expect(eventFailure(badArguments, message).answer).toEqual({ kind: 'complete', error: badArguments.message });
    expect(eventFailure(crash, message).answer).toEqual({
      kind: 'complete',
      error: "An unexpected error occurred invoking 'send' on the server.",
    });
  });

  it('adds the detail of a crash only when detailed errors are on', () => {
    const answer = eventFailure(crash, { ...message, detailed: true }).answer;
    expect(answer.kind === 'complete' && answer.error).toBe(
      "An unexpected error occurred invoking 'send' on the server. TypeError: x is not a function",
    );
  });

  it('refuses a denial with a fixed text, also for a send, which otherwise has no one to tell', () => {
    expect(eventFailure(denial, message).answer).toEqual({ kind: 'refuse', message: CALL_DENIED });
    expect(eventFailure(denial, send).answer).toEqual({ kind: 'refuse', message: CALL_DENIED });
    for (const error of [hubError, badArguments, crash])
      expect(eventFailure(error, send).answer).toEqual({ kind: 'accept' });
  });

  it('refuses the connection for any failure of connected, and only logs one of disconnected', () => {
    for (const error of [denial, hubError, badArguments, crash]) {
      expect(eventFailure(error, connected).answer).toEqual({ kind: 'refuse', message: CONNECTION_REFUSED });
      expect(eventFailure(error, disconnected).answer).toEqual({ kind: 'accept' });
    }
  });

  it("logs the app's decisions as info or warning, and defects as errors with what was thrown", () => {
    expect(eventFailure(denial, message).log).toEqual({
      level: 'info',
      message: "Call 'send' on hub 'chat' denied: not a member",
    });
    expect(eventFailure(hubError, message).log).toEqual({
      level: 'info',
      message: "Handler of 'send' on hub 'chat' raised a hub error: Unknown room.",
    });
    expect(eventFailure(badArguments, message).log.level).toBe('warn');
    expect(eventFailure(crash, message).log).toEqual({
      level: 'error',
      message: "Handler of 'send' on hub 'chat' failed.",
      error: crash,
    });
    expect(eventFailure(crash, connected).log.message).toContain('the connection is refused');
  });

  it('logs a filter that crashed, rather than decided, as a defect with its cause', () => {
    const cause = new RangeError('filter bug');
    const filterCrash = new ServerlessHubError('UPSTREAM_FORBIDDEN', 'The filter AdminOnly failed.', {
      cause,
      details: { filterFailed: true },
    });
    const { answer, log } = eventFailure(filterCrash, message);
    expect(answer).toEqual({ kind: 'refuse', message: CALL_DENIED });
    expect(log).toEqual({
      level: 'error',
      message: "Call 'send' on hub 'chat' refused: The filter AdminOnly failed.",
      error: cause,
    });
  });
});

describe('negotiateFailure', () => {
  it('answers 401, 403, 400 or 500, telling the caller only what the app decided to tell', () => {
    const invalidToken = new ServerlessHubError('TOKEN_INVALID', 'The bearer token is invalid: it has expired.');
    expect(negotiateFailure(invalidToken, 'chat')).toMatchObject({
      status: 401,
      body: invalidToken.message,
      log: { level: 'warn' },
    });
    expect(negotiateFailure(denial, 'chat')).toMatchObject({
      status: 403,
      body: 'The negotiation was denied.',
      log: { level: 'info' },
    });
    expect(negotiateFailure(hubError, 'chat')).toMatchObject({
      status: 400,
      body: 'Unknown room.',
      log: { level: 'info' },
    });
    const secret = new Error('AccessKey=abc123 leaked');
    const failure = negotiateFailure(secret, 'chat');
    expect(failure).toEqual({
      status: 500,
      body: NEGOTIATION_FAILED,
      log: { level: 'error', message: "Negotiate for hub 'chat' failed.", error: secret },
    });
  });

  it('answers 503 with what to check when no service endpoint is online', () => {
    const offline = new ServerlessHubError(
      'ENDPOINTS_OFFLINE',
      'No service endpoint of hub chat is online: check them.',
    );
    expect(negotiateFailure(offline, 'chat')).toEqual({
      status: 503,
      body: offline.message,
      log: { level: 'warn', message: `Negotiate for hub 'chat' refused with 503: ${offline.message}` },
    });
  });
});
