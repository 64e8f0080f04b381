/** What the service said about a failure, reduced to short, printable strings. */
export interface ServiceErrorDetail {
  /** `code` of the JSON error body (e.g. `Error.Request.Invalid`). */
  readonly code?: string;
  /** `message` of the JSON error body, or the start of a non-JSON body. */
  readonly message?: string;
}

const MAX_FIELD_LENGTH = 512;
// C0/C1 controls (except tab) could forge log lines or terminal escapes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]+/g;

function clean(text: string, secrets: readonly string[]): string | undefined {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0 && result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  result = result.replace(CONTROL_CHARACTERS, ' ').trim();
  if (result.length > MAX_FIELD_LENGTH) result = `${result.slice(0, MAX_FIELD_LENGTH)}…`;
  return result.length === 0 ? undefined : result;
}

/**
 * Reads the service's error body (JSON `{ code, message }`, as the swagger's `ErrorDetail` and
 * `ServiceResponse`, or plain text) tolerantly: anything unexpected becomes a short printable string,
 * and every occurrence of a `secrets` entry (the request's token) is replaced by `[redacted]`.
 */
export function parseServiceErrorDetail(body: string, secrets: readonly string[]): ServiceErrorDetail {
  const trimmed = body.trim();
  if (trimmed.length === 0) return {};
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      const code = typeof record['code'] === 'string' ? clean(record['code'], secrets) : undefined;
      const message = typeof record['message'] === 'string' ? clean(record['message'], secrets) : undefined;
      if (code !== undefined || message !== undefined) {
        return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
      }
    }
  }
  const message = clean(trimmed, secrets);
  return message === undefined ? {} : { message };
}
