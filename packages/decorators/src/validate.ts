import type { StandardSchemaV1 } from '@standard-schema/spec';
import { recordSchema } from './metadata.js';

/**
 * Validates client arguments with a [Standard Schema](https://standardschema.dev) (zod, valibot,
 * ArkType, or any library that implements the interface) before the method runs. The method receives
 * the schema's output, so coercions and defaults apply. Invalid arguments never run the method: the
 * client's `invoke()` fails with a message naming the method, the parameter and what is wrong, and a
 * `send()` is logged.
 *
 * - On a parameter: validates that parameter's argument (`undefined` when an optional one is omitted;
 *   the whole array for a rest parameter).
 * - On a method: validates the list of client arguments (the parameters not injected or ignored), e.g.
 *   with a tuple schema; its output must be an array, which is bound by position.
 *
 * @param schema any object with a `~standard` property as the Standard Schema v1 interface defines.
 *
 * @example
 * ```ts
 * import * as v from 'valibot';
 *
 * class Chat extends ServerlessHub<ChatClient> {
 *   async broadcast(@Validate(v.pipe(v.string(), v.maxLength(4000))) text: string) {}
 *
 *   @Validate(v.tuple([v.pipe(v.string(), v.minLength(1)), v.optional(v.number(), 10)]))
 *   search(text: string, @Optional() limit?: number) {}
 * }
 * ```
 */
export function Validate(schema: StandardSchemaV1): MethodDecorator & ParameterDecorator {
  return (
    target: object,
    member: string | symbol | undefined,
    indexOrDescriptor?: number | PropertyDescriptor,
  ): void => {
    recordSchema(target, member, typeof indexOrDescriptor === 'number' ? indexOrDescriptor : undefined, schema);
  };
}
