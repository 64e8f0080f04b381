import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** The service's hub name rule (REST API `hub` parameter). */
const HUB_NAME = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

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
    if (typeof explicitName !== 'string' || !HUB_NAME.test(explicitName)) {
      throw new ServerlessHubError(
        'HUB_DEFINITION_INVALID',
        `@Hub on class ${className || '(anonymous)'} names the hub ${JSON.stringify(explicitName)}, which the service does not accept: a hub name starts with a letter and has only letters, digits and _ \` , . [ ] (128 characters at most).`,
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
  if (!HUB_NAME.test(className)) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `Class ${className} cannot be a hub name: the service accepts only letters, digits and _ \` , . [ ] after a leading letter (128 characters at most). Name the hub explicitly with @Hub('name').`,
    );
  }
  return className;
}
