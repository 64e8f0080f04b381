import { recordParameter } from './metadata.js';

/**
 * Marks a trailing client parameter as optional, so that a client may omit it. TypeScript's `?` is erased
 * before run time, so the framework cannot see it; a parameter with a default value (`count = 1`) is
 * optional without this decorator. Every client parameter after an optional one must be optional too.
 *
 * @example
 * ```ts
 * // clients may invoke('search', text) or invoke('search', text, 20)
 * search(text: string, @Optional() limit?: number) { return find(text, limit ?? 10); }
 * ```
 */
export function Optional(): ParameterDecorator {
  return (target, member, index) => {
    recordParameter(target, member, index, 'optional');
  };
}
