import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the values of secret query parameters and keeps the rest', () => {
    expect(redactUrl('https://app.azurewebsites.net/runtime/webhooks/signalr?code=s3cr3t')).toBe(
      'https://app.azurewebsites.net/runtime/webhooks/signalr?code=***',
    );
    expect(redactUrl('http://a/x?hub=chat&access_token=eyJ.x.y&n=1')).toBe('http://a/x?hub=chat&access_token=***&n=1');
    expect(redactUrl('http://127.0.0.1:7071/api/{hub}/{category}/{event}')).toBe(
      'http://127.0.0.1:7071/api/{hub}/{category}/{event}',
    );
  });
});
