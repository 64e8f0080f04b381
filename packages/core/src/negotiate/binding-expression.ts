import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { describeValue } from '../errors/describe-value.js';

/**
 * The parts of an HTTP request binding expressions read. An `@azure/functions` `HttpRequest`
 * satisfies it, and so does any object with WHATWG `Headers` and `URLSearchParams`.
 *
 * @example
 * ```ts
 * const userId = compileBindingExpression('{headers.x-user}', 'userId');
 * userId({ headers: new Headers({ 'x-user': 'alice' }), query: new URLSearchParams('hub=chat') }); // 'alice'
 * ```
 */
export interface NegotiateRequest {
  readonly headers: { get(name: string): string | null };
  readonly query: { get(name: string): string | null; forEach(callback: (value: string, name: string) => void): void };
}

/**
 * A compiled binding expression: the value for a request, or `undefined` when a part is absent or empty.
 *
 * @example
 * ```ts
 * const userId: BindingValue = compileBindingExpression('{headers.x-ms-client-principal-id}', 'userId');
 * const value = userId(request);
 * ```
 */
export type BindingValue = (request: NegotiateRequest) => string | undefined;

// RFC 9110 token characters: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUERY_NAME = /^[^\s{}]+$/;

function invalidExpression(optionName: string, template: unknown, problem: string): ServerlessHubError {
  const shown = describeValue(template);
  return new ServerlessHubError(
    'NEGOTIATE_OPTIONS_INVALID',
    `${optionName} ${shown} is not a valid binding expression: ${problem}. ` +
      'Use a literal value, {headers.<name>} or {query.<name>}, e.g. "{headers.x-ms-client-principal-id}".',
  );
}

function queryValue(name: string): BindingValue {
  const lower = name.toLowerCase();
  return (request) => {
    const exact = request.query.get(name);
    if (exact !== null) return exact;
    // Query names are case-insensitive in the Functions host, case-sensitive in URLSearchParams.
    let found: string | undefined;
    request.query.forEach((value, key) => {
      if (found === undefined && key.toLowerCase() === lower) found = value;
    });
    return found;
  };
}

function compileReference(expression: string, optionName: string, template: string): BindingValue {
  const dot = expression.indexOf('.');
  const source = (dot < 0 ? expression : expression.slice(0, dot)).toLowerCase();
  const name = dot < 0 ? '' : expression.slice(dot + 1);
  if (source === 'headers') {
    if (!HEADER_NAME.test(name))
      throw invalidExpression(optionName, template, `{headers.${name}} needs a valid header name`);
    return (request) => request.headers.get(name) ?? undefined;
  }
  if (source === 'query') {
    if (!QUERY_NAME.test(name))
      throw invalidExpression(optionName, template, `{query.${name}} needs a query parameter name`);
    return queryValue(name);
  }
  throw invalidExpression(optionName, template, `{${expression}} is not supported (only headers and query are)`);
}

/**
 * Compiles a `SignalRConnectionInfo` binding expression once: a literal, `{headers.NAME}`,
 * `{query.NAME}`, or text mixing them (`"tenant1:{headers.x-user}"`). Header names are matched
 * case-insensitively, query names exactly first, then case-insensitively. The compiled function
 * returns `undefined` when any referenced value is absent or empty, so a missing header never
 * yields a partial value such as `"tenant1:"`.
 *
 * @param optionName - Named in error messages (e.g. `userId`).
 * @throws {@link ServerlessHubError} `NEGOTIATE_OPTIONS_INVALID` for unbalanced braces, an
 * unknown source or an empty name.
 *
 * @example
 * ```ts
 * const userId = compileBindingExpression('{headers.x-ms-client-principal-id}', 'userId');
 * userId(request); // the header's value, or undefined
 * ```
 */
export function compileBindingExpression(template: string, optionName: string): BindingValue {
  if (typeof template !== 'string') throw invalidExpression(optionName, template, 'it is not a string');
  const parts: (string | BindingValue)[] = [];
  let literal = '';
  let index = 0;
  while (index < template.length) {
    const char = template.charAt(index);
    if (char === '}')
      throw invalidExpression(optionName, template, `"}" at position ${String(index)} has no matching "{"`);
    if (char !== '{') {
      literal += char;
      index++;
      continue;
    }
    const close = template.indexOf('}', index + 1);
    const nested = template.indexOf('{', index + 1);
    if (close < 0) throw invalidExpression(optionName, template, `"{" at position ${String(index)} is never closed`);
    if (nested >= 0 && nested < close) throw invalidExpression(optionName, template, 'expressions cannot be nested');
    const expression = template.slice(index + 1, close);
    if (expression === '') throw invalidExpression(optionName, template, '"{}" is empty');
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(compileReference(expression, optionName, template));
    index = close + 1;
  }
  if (literal !== '') parts.push(literal);

  if (parts.length === 0) return () => undefined;
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) {
    if (typeof only === 'string') return () => only;
    return (request) => {
      const value = only(request);
      return value === '' ? undefined : value;
    };
  }
  return (request) => {
    let result = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        result += part;
        continue;
      }
      const value = part(request);
      if (value === undefined || value === '') return undefined;
      result += value;
    }
    return result;
  };
}
