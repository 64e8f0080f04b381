import { describe, expect, it } from 'vitest';
import { parseServiceErrorDetail } from './service-error-detail.js';

describe('parseServiceErrorDetail', () => {
  it('reads code and message of a JSON error body', () => {
    expect(
      parseServiceErrorDetail('{"code":"Error.Request.Invalid","message":"Bad group.","target":"group"}', []),
    ).toEqual({
      code: 'Error.Request.Invalid',
      message: 'Bad group.',
    });
  });

  it('reads the ServiceResponse shape', () => {
    const body = JSON.stringify({
      statusCode: 503,
      code: 'Error.Service.Busy',
      level: 'Error',
      message: 'Try later',
      isSuccess: false,
    });
    expect(parseServiceErrorDetail(body, [])).toEqual({ code: 'Error.Service.Busy', message: 'Try later' });
  });

  it('keeps the start of a non-JSON body, without control characters', () => {
    expect(parseServiceErrorDetail('  Service\r\nUnavailable\u001b[31m  ', [])).toEqual({
      message: 'Service Unavailable [31m',
    });
  });

  it('falls back to text for broken or unexpected JSON', () => {
    expect(parseServiceErrorDetail('{"code":', [])).toEqual({ message: '{"code":' });
    expect(parseServiceErrorDetail('{"code":42}', [])).toEqual({ message: '{"code":42}' });
    expect(parseServiceErrorDetail('', [])).toEqual({});
  });

  it('shortens long fields', () => {
    const detail = parseServiceErrorDetail(JSON.stringify({ message: 'm'.repeat(10_000) }), []);
    expect(detail.message).toHaveLength(513);
    expect(detail.message?.endsWith('…')).toBe(true);
  });

  it('redacts every occurrence of a secret', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.payload.signature';
    const detail = parseServiceErrorDetail(
      JSON.stringify({ code: 'X', message: `bad token ${token}, again ${token}` }),
      [token],
    );
    expect(detail.message).toBe('bad token [redacted], again [redacted]');
    expect(parseServiceErrorDetail(`echo: Bearer ${token}`, [token]).message).toBe('echo: Bearer [redacted]');
  });
});
