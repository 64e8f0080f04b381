import { recordParameter } from './metadata.js';

/**
 * Excludes a parameter from binding: it receives `undefined` and takes no client argument.
 *
 * @example
 * ```ts
 * // clients invoke('greet', name); `unused` is never bound
 * greet(@Ignore() unused: unknown, name: string) { return `hello ${name}`; }
 * ```
 */
export function Ignore(): ParameterDecorator {
  return (target, member, index) => {
    recordParameter(target, member, index, 'ignore');
  };
}
