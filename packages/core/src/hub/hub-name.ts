import { ServerlessHubError } from '../errors/serverless-hub-error.js';

// Every rule about hub names lives here: the service's, what HTTP mode adds, and how a class is named.

/** The service's hub name rule: the swagger `pattern` of the REST API's `hub` (and `application`) parameter. */
const HUB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/** Hub names that become route segments: what Functions routes and URL templates carry unescaped. */
const ROUTE_SAFE_HUB_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * The service's hub name rule in words, for the messages that refuse a name. Internal.
 *
 * @example
 * ```ts
 * throw new Error(`Hub name "my hub" is invalid: ${HUB_NAME_RULE}.`);
 * ```
 */
export const HUB_NAME_RULE =
  'it must start with a letter and contain only letters, digits and _ ` , . [ ] (128 characters at most)';

/**
 * Whether the service accepts this hub name: a letter, then up to 127 letters, digits or
 * `` _ ` , . [ ] ``.
 *
 * @example
 * ```ts
 * isValidHubName('chat'); // true
 * isValidHubName('my-hub'); // false: '-' is not allowed
 * ```
 */
export function isValidHubName(hubName: unknown): hubName is string {
  return typeof hubName === 'string' && HUB_NAME_PATTERN.test(hubName);
}

/**
 * Whether a hub name can be a route segment of its functions as it is (HTTP mode): letters, digits,
 * `_`, `-` and `.` after a leading letter. Internal.
 *
 * @example
 * ```ts
 * isRouteSafeHubName('chat.v2'); // true
 * isRouteSafeHubName('chat[1]'); // false: the service accepts it, a route does not
 * ```
 */
export function isRouteSafeHubName(hubName: string): boolean {
  return ROUTE_SAFE_HUB_NAME.test(hubName);
}

/**
 * Names that bundlers, transpilers and minifiers give classes: a name of one or two characters
 * (`e`, `t`, `Ab`), anything with `$` (rollup's `Chat$1`), the helper names of decorator and
 * default-export transforms (`_class`, `_class2`, `default`, `_default`), and the empty name of an
 * anonymous class. A hub named after such a class would change name with the next build.
 */
const GENERATED = /^(?:_?class\d*|_?default\d*)$/i;

/** Why a class name cannot be a hub name, or `undefined` when it can. */
function generatedNameReason(name: string): string | undefined {
  if (name.length === 0) return 'the class is anonymous';
  if (name.length <= 2) return `its name "${name}" is one or two characters long, as minifiers make them`;
  if (name.includes('$')) return `its name "${name}" contains "$", as bundlers make them`;
  if (GENERATED.test(name)) return `its name "${name}" is one that transpilers and bundlers generate`;
  return undefined;
}

/**
 * The hub name of a class: the explicit name when given, else the class name, which is refused when it
 * looks generated or minified. Either must satisfy the service's hub name rule.
 *
 * @throws {ServerlessHubError} `HUB_DEFINITION_INVALID`
 */
export function resolveHubName(className: string, explicitName: unknown): string {
  if (explicitName !== undefined) {
    if (!isValidHubName(explicitName)) {
      throw new ServerlessHubError(
        'HUB_DEFINITION_INVALID',
        `@Hub on class ${className || '(anonymous)'} names the hub ${JSON.stringify(explicitName)}, which the service does not accept: ${HUB_NAME_RULE}.`,
      );
    }
    return explicitName;
  }
  const reason = generatedNameReason(className);
  if (reason !== undefined) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `Cannot name a hub after its class: ${reason}, so the name would not survive bundling or minification. Name the hub explicitly with @Hub('name').`,
    );
  }
  if (!HUB_NAME_PATTERN.test(className)) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `Class ${className} cannot be a hub name: ${HUB_NAME_RULE}. Name the hub explicitly with @Hub('name').`,
    );
  }
  return className;
}
