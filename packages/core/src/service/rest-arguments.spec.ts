import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import {
  assertConnectionId,
  assertGroupName,
  assertHubName,
  assertIdList,
  assertReason,
  assertTarget,
  assertTtl,
  assertUserId,
} from './rest-arguments.js';

function failure(action: () => void): ServerlessHubError {
  try {
    action();
  } catch (error) {
    if (error instanceof ServerlessHubError) return error;
    throw error;
  }
  throw new Error('expected a ServerlessHubError');
}

describe('assertHubName', () => {
  it.each(['chat', 'C', 'a1_`,.[]', `a${'b'.repeat(127)}`])('accepts %s', (name) => {
    expect(() => {
      assertHubName(name);
    }).not.toThrow();
  });

  it.each(['', '1chat', '_chat', 'chat room', 'chat/x', 'chat-x', 'é', `a${'b'.repeat(128)}`])('rejects %j', (name) => {
    const error = failure(() => {
      assertHubName(name);
    });
    expect(error.code).toBe('REST_INVALID_ARGUMENT');
    expect(error.message).toMatch(/^Invalid hub name .*must start with a letter/);
  });

  it('names the application when checking one', () => {
    expect(
      failure(() => {
        assertHubName('9app', 'application name');
      }).message,
    ).toMatch(/^Invalid application name "9app"/);
  });

  it('rejects non-strings', () => {
    expect(
      failure(() => {
        assertHubName(42);
      }).message,
    ).toContain('Invalid hub name 42:');
  });
});

describe('assertGroupName', () => {
  it('accepts 1 to 1024 characters with inner spaces and punctuation', () => {
    expect(() => {
      assertGroupName('a');
      assertGroupName(' room 1 / ? # ');
      assertGroupName('g'.repeat(1024));
    }).not.toThrow();
  });

  it.each([
    ['', /must not be empty/],
    ['g'.repeat(1025), /1025 characters; the service accepts at most 1024/],
    ['   ', /only white space/],
    ['\t\n', /only white space/],
    ['a\nb', /line break/],
    ['a\uD800b', /unpaired UTF-16 surrogate/],
  ])('rejects %j', (name, message) => {
    const error = failure(() => {
      assertGroupName(name);
    });
    expect(error.code).toBe('REST_INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
  });
});

describe('ids, targets, ttl and reasons', () => {
  it('user ids are 1 to 1024 characters', () => {
    expect(() => {
      assertUserId('u'.repeat(1024));
    }).not.toThrow();
    expect(
      failure(() => {
        assertUserId('u'.repeat(1025));
      }).message,
    ).toMatch(/user id .*1025 characters/);
    expect(
      failure(() => {
        assertUserId('');
      }).message,
    ).toBe('Invalid user id: it must not be empty.');
  });

  it('connection ids are non-empty strings', () => {
    expect(() => {
      assertConnectionId('abc-123');
    }).not.toThrow();
    expect(
      failure(() => {
        assertConnectionId(undefined);
      }).message,
    ).toBe('Invalid connection id undefined: expected a string.');
  });

  it('targets are non-empty strings', () => {
    expect(() => {
      assertTarget('newMessage');
    }).not.toThrow();
    expect(
      failure(() => {
        assertTarget('');
      }).message,
    ).toMatch(/^Invalid message target ""/);
  });

  it.each([0, 1, 3600, 2_147_483_647])('ttl %d is valid', (ttl) => {
    expect(() => {
      assertTtl(ttl);
    }).not.toThrow();
  });

  it.each([-1, 1.5, 2_147_483_648, Number.NaN, Infinity, '10'])('ttl %j is not', (ttl) => {
    expect(
      failure(() => {
        assertTtl(ttl);
      }).message,
    ).toMatch(/^Invalid ttl .*whole seconds from 0 to 2147483647/);
  });

  it('reasons are strings that can go in a URL', () => {
    expect(() => {
      assertReason('');
      assertReason('bye & good night');
    }).not.toThrow();
    expect(
      failure(() => {
        assertReason('\uDC00');
      }).message,
    ).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('lists must be arrays of valid items', () => {
    expect(() => {
      assertIdList(['a', 'b'], 'user ids', assertUserId);
    }).not.toThrow();
    expect(
      failure(() => {
        assertIdList('a', 'user ids', assertUserId);
      }).message,
    ).toMatch(/^Invalid user ids "a": expected an array of strings/);
    expect(
      failure(() => {
        assertIdList(['a', ''], 'user ids', assertUserId);
      }).message,
    ).toBe('Invalid user id: it must not be empty.');
  });

  it('quotes a long value shortened in the error', () => {
    expect(
      failure(() => {
        assertGroupName(`${'x'.repeat(100)}\n`);
      }).message,
    ).toBe(`Invalid group name ${JSON.stringify(`${'x'.repeat(64)}…`)}: it must not contain a line break.`);
  });
});
