import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { computeUpstreamSignature, createSignatureValidator } from './upstream-signature.js';

// Published HMAC-SHA256 test vector: key "key", message "The quick brown fox jumps over the lazy dog".
const VECTOR_MESSAGE = 'The quick brown fox jumps over the lazy dog';
const VECTOR_HEX = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';

const PRIMARY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const SECONDARY = 'secondary-key-äöü';

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(message, 'utf8')).digest('hex');
}

describe('computeUpstreamSignature', () => {
  it('matches the published HMAC-SHA256 vector, in uppercase hex with the sha256= prefix', () => {
    expect(computeUpstreamSignature(VECTOR_MESSAGE, ['key'])).toBe(`sha256=${VECTOR_HEX.toUpperCase()}`);
  });

  // Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService, SignalRTriggerUtils.GetSignatureList:
  // the header is split on ',' without trimming, and each entry must equal the expected one exactly.
  it('writes one entry per key joined by "," with no space, as the Functions extension splits it', () => {
    const header = computeUpstreamSignature('conn', [PRIMARY, SECONDARY]);
    expect(header).toBe(
      `sha256=${hmacHex(PRIMARY, 'conn').toUpperCase()},sha256=${hmacHex(SECONDARY, 'conn').toUpperCase()}`,
    );
    // What the extension does with it, for an app that holds only the secondary key.
    const entries = header.split(',');
    expect(entries).toContain(`sha256=${hmacHex(SECONDARY, 'conn').toUpperCase()}`);
  });

  it('is accepted by the validator when only the second key is configured', () => {
    expect(
      createSignatureValidator([SECONDARY]).isValid('conn', computeUpstreamSignature('conn', [PRIMARY, SECONDARY])),
    ).toBe(true);
  });
});

describe('createSignatureValidator', () => {
  const validator = createSignatureValidator([PRIMARY, SECONDARY]);
  const connectionId = 'pI9pzJv3DUyDbGj6IQ1dcQ9b1c7b1ce1';

  it('accepts the published vector in upper and lower case', () => {
    const vector = createSignatureValidator(['key']);
    expect(vector.isValid(VECTOR_MESSAGE, `sha256=${VECTOR_HEX}`)).toBe(true);
    expect(vector.isValid(VECTOR_MESSAGE, `sha256=${VECTOR_HEX.toUpperCase()}`)).toBe(true);
    expect(vector.isValid(VECTOR_MESSAGE, `SHA256=${VECTOR_HEX}`)).toBe(true);
  });

  it('accepts the header of the service signed with both keys, with or without spaces', () => {
    const primary = `sha256=${hmacHex(PRIMARY, connectionId).toUpperCase()}`;
    const secondary = `sha256=${hmacHex(SECONDARY, connectionId).toUpperCase()}`;
    expect(validator.isValid(connectionId, `${primary}, ${secondary}`)).toBe(true);
    expect(validator.isValid(connectionId, `${primary},${secondary}`)).toBe(true);
    expect(validator.isValid(connectionId, `${primary},   ${secondary}`)).toBe(true);
  });

  it('accepts a header signed by any one configured key, in any entry position', () => {
    const other = `sha256=${hmacHex('rotated-out', connectionId)}`;
    expect(validator.isValid(connectionId, `${other}, sha256=${hmacHex(SECONDARY, connectionId)}`)).toBe(true);
    expect(validator.isValid(connectionId, `sha256=${hmacHex(PRIMARY, connectionId)}, ${other}`)).toBe(true);
  });

  it('refuses signatures of other keys or other connections, and missing or malformed headers', () => {
    const forOther = `sha256=${hmacHex(PRIMARY, 'another-connection')}`;
    const good = hmacHex(PRIMARY, connectionId);
    for (const header of [
      undefined,
      '',
      ',',
      `sha256=${hmacHex('wrong', connectionId)}`,
      forOther,
      good, // no prefix
      `sha1=${good}`,
      `sha256=${good.slice(0, 63)}`, // too short
      `sha256=${good}00`, // too long
      `sha256=${good.slice(0, 62)}zz`, // not hex
      `sha256 =${good}`,
    ]) {
      expect(validator.isValid(connectionId, header), String(header)).toBe(false);
    }
  });

  it('looks at a bounded number of entries', () => {
    const padding = Array.from({ length: 40 }, () => 'sha256=00').join(',');
    expect(validator.isValid(connectionId, `${padding},sha256=${hmacHex(PRIMARY, connectionId)}`)).toBe(false);
  });

  it('keeps judging correctly after many connections have gone through its digest cache', () => {
    const many = createSignatureValidator([PRIMARY]);
    for (let i = 0; i < 5000; i++)
      expect(many.isValid(`c${String(i)}`, `sha256=${hmacHex(PRIMARY, `c${String(i)}`)}`)).toBe(true);
    expect(many.isValid('c0', `sha256=${hmacHex(PRIMARY, 'c0')}`)).toBe(true);
    expect(many.isValid('c4999', `sha256=${hmacHex(PRIMARY, 'c0')}`)).toBe(false);
    expect(many.isValid('c0', `sha256=${hmacHex(SECONDARY, 'c0')}`)).toBe(false);
  });

  it('validates a changed header of a connection whose earlier header was accepted, and refuses a wrong one', () => {
    const cached = createSignatureValidator([PRIMARY, SECONDARY]);
    const primary = `sha256=${hmacHex(PRIMARY, connectionId).toUpperCase()}`;
    const secondary = `sha256=${hmacHex(SECONDARY, connectionId).toUpperCase()}`;
    expect(cached.isValid(connectionId, `${primary}, ${secondary}`)).toBe(true);
    expect(cached.isValid(connectionId, `${primary}, ${secondary}`)).toBe(true);
    // Same connection, another valid form of the header (one key only, lowercase, other spacing).
    expect(cached.isValid(connectionId, secondary.toLowerCase())).toBe(true);
    expect(cached.isValid(connectionId, `${primary},${secondary}`)).toBe(true);
    // Same length as the remembered header, one digit different in each entry.
    const flipped = `${primary.slice(0, -1)}${primary.endsWith('0') ? '1' : '0'}, ${secondary.slice(0, -1)}${secondary.endsWith('0') ? '1' : '0'}`;
    expect(cached.isValid(connectionId, flipped)).toBe(false);
    expect(cached.isValid(connectionId, `sha256=${hmacHex('wrong', connectionId)}`)).toBe(false);
    expect(cached.isValid(connectionId, '')).toBe(false);
    expect(cached.isValid(connectionId, undefined)).toBe(false);
    // The remembered header belongs to its connection only.
    expect(cached.isValid('another-connection', `${primary},${secondary}`)).toBe(false);
    expect(cached.isValid(connectionId, `${primary},${secondary}`)).toBe(true);
  });

  it('judges a header the same on first sight and when its connection was evicted from the cache', () => {
    const small = createSignatureValidator([PRIMARY]);
    const header = `sha256=${hmacHex(PRIMARY, 'c0')}`;
    expect(small.isValid('c0', header)).toBe(true);
    for (let i = 1; i <= 4100; i++) small.isValid(`c${String(i)}`, `sha256=${hmacHex(PRIMARY, `c${String(i)}`)}`);
    expect(small.isValid('c0', header)).toBe(true);
    expect(small.isValid('c0', `sha256=${hmacHex(PRIMARY, 'c1')}`)).toBe(false);
  });

  it('validates an over-long valid header every time without remembering it', () => {
    const header = `sha256=${hmacHex(PRIMARY, connectionId)},${' '.repeat(2000)}sha256=00`;
    expect(validator.isValid(connectionId, header)).toBe(true);
    expect(validator.isValid(connectionId, header)).toBe(true);
    expect(
      validator.isValid(connectionId, header.replace(hmacHex(PRIMARY, connectionId), hmacHex('wrong', connectionId))),
    ).toBe(false);
  });

  it('refuses to be built without keys or with an empty key', () => {
    expect(() => createSignatureValidator([])).toThrow(ServerlessHubError);
    expect(() => createSignatureValidator([PRIMARY, ''])).toThrow(/Access key #2/);
  });
});
