import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * Checks and converts the client arguments of one event: returns the values the method receives (the
 * schemas' outputs), or throws / rejects with `HUB_ARGUMENTS_INVALID`. Built once at registration.
 */
export type ArgumentValidator = (args: readonly unknown[]) => readonly unknown[] | Promise<readonly unknown[]>;

/** One `@Validate(schema)` on a client-bound parameter, by its argument index. */
export interface ParameterSchema {
  readonly argumentIndex: number;
  /** A rest parameter: the schema sees the array of the remaining arguments. */
  readonly rest: boolean;
  readonly schema: StandardSchemaV1;
}

/** What the validator needs to know about the method, for its messages. */
export interface ValidatedMethod {
  /** The event name the client invoked, e.g. `broadcast`. */
  readonly event: string;
  /** The name of each client-bound parameter by argument index, when known; a rest parameter is last. */
  readonly argumentNames: readonly (string | undefined)[];
  /** The argument index where a rest parameter starts, if the method has one. */
  readonly restFrom: number | undefined;
}

const MAX_ISSUES_SHOWN = 3;
const MAX_ISSUE_LENGTH = 200;
const MAX_PATH_LENGTH = 80;

type Result = StandardSchemaV1.Result<unknown>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Compiles the schemas of one event into an {@link ArgumentValidator}: either one schema of the whole
 * argument list (`@Validate` on the method), or one schema per parameter. Schemas answering
 * synchronously are run without a promise.
 */
export function compileArgumentValidator(
  method: ValidatedMethod,
  listSchema: StandardSchemaV1 | undefined,
  parameters: readonly ParameterSchema[],
): ArgumentValidator {
  if (listSchema !== undefined) {
    const validate = listSchema['~standard'].validate;
    return (args) => {
      const result = validate(args);
      return isThenable(result)
        ? Promise.resolve(result).then((settled) => listOutput(method, settled))
        : listOutput(method, result);
    };
  }
  const ordered = [...parameters].sort((a, b) => a.argumentIndex - b.argumentIndex);
  return (args) => {
    const values = args.slice();
    let pending: Promise<void>[] | undefined;
    for (const parameter of ordered) {
      const input = parameter.rest ? args.slice(parameter.argumentIndex) : args[parameter.argumentIndex];
      const result = parameter.schema['~standard'].validate(input);
      if (isThenable(result)) {
        (pending ??= []).push(
          Promise.resolve(result).then((settled) => {
            assign(method, parameter, values, settled);
          }),
        );
      } else assign(method, parameter, values, result);
    }
    if (pending === undefined) return values;
    return Promise.all(pending).then(() => values);
  };
}

function listOutput(method: ValidatedMethod, result: Result): readonly unknown[] {
  if (result.issues !== undefined) throw invalid(method, result.issues, undefined);
  const output = result.value;
  if (!Array.isArray(output)) {
    // The app's schema is wrong, not the client's arguments: a failure of the app (logged, generic to the client).
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `The @Validate schema of '${method.event}' produced ${typeof output} instead of an array of arguments; a method-level schema must describe the argument list, e.g. a tuple.`,
    );
  }
  return output as unknown[];
}

function assign(method: ValidatedMethod, parameter: ParameterSchema, values: unknown[], result: Result): void {
  if (result.issues !== undefined) throw invalid(method, result.issues, parameter.argumentIndex);
  if (!parameter.rest) {
    // An omitted optional argument stays omitted unless the schema gave it a value (a default).
    if (parameter.argumentIndex < values.length || result.value !== undefined)
      values[parameter.argumentIndex] = result.value;
    return;
  }
  if (!Array.isArray(result.value)) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `The @Validate schema of the rest parameter of '${method.event}' produced ${typeof result.value} instead of an array.`,
    );
  }
  values.length = parameter.argumentIndex;
  for (const item of result.value as unknown[]) values.push(item);
}

function keyOf(segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey {
  return typeof segment === 'object' ? segment.key : segment;
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/** `parameter 'text' (argument 1)`, `argument 2`, or `the arguments` when no argument is singled out. */
function parameterLabel(method: ValidatedMethod, argumentIndex: number | undefined): string {
  if (argumentIndex === undefined) return 'the arguments';
  const named =
    method.restFrom !== undefined && argumentIndex >= method.restFrom
      ? method.argumentNames[method.restFrom]
      : method.argumentNames[argumentIndex];
  const position = `argument ${String(argumentIndex + 1)}`;
  if (named === undefined) return position;
  return method.restFrom !== undefined && argumentIndex >= method.restFrom
    ? `rest parameter '${named}' (${position})`
    : `parameter '${named}' (${position})`;
}

function describeIssue(method: ValidatedMethod, issue: StandardSchemaV1.Issue, fixedIndex: number | undefined): string {
  const path = (issue.path ?? []).map(keyOf);
  let argumentIndex = fixedIndex;
  let inner = path;
  if (fixedIndex === undefined && typeof path[0] === 'number') {
    argumentIndex = path[0];
    inner = path.slice(1);
  } else if (fixedIndex !== undefined && method.restFrom === fixedIndex && typeof path[0] === 'number') {
    // A rest schema sees the remaining arguments as one array: its first path segment is the position in it.
    argumentIndex = fixedIndex + path[0];
    inner = path.slice(1);
  }
  const where =
    inner.length === 0
      ? ''
      : ` at ${cut(inner.map((key) => (typeof key === 'number' ? `[${String(key)}]` : `.${String(key)}`)).join(''), MAX_PATH_LENGTH)}`;
  const message = typeof issue.message === 'string' && issue.message !== '' ? issue.message : 'invalid value';
  return `${parameterLabel(method, argumentIndex)}${where}: ${cut(message, MAX_ISSUE_LENGTH)}`;
}

function invalid(
  method: ValidatedMethod,
  issues: readonly StandardSchemaV1.Issue[],
  fixedIndex: number | undefined,
): ServerlessHubError {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => describeIssue(method, issue, fixedIndex));
  if (shown.length === 0) shown.push(`${parameterLabel(method, fixedIndex)}: invalid value`);
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${String(issues.length - MAX_ISSUES_SHOWN)} more)` : '';
  return new ServerlessHubError(
    'HUB_ARGUMENTS_INVALID',
    `Invalid arguments for '${method.event}': ${shown.join('; ')}${more}.`,
    {
      details: { event: method.event, issues: issues.length },
    },
  );
}
