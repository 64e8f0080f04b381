import { recordNotEvent } from './metadata.js';

/**
 * Keeps a public hub method from becoming an event, so clients cannot call it. Methods whose name
 * starts with `_`, and `#private` methods, are never events either; TypeScript's `private` and
 * `protected` do not exist at run time and do not hide a method.
 *
 * @example
 * ```ts
 * class Chat extends ServerlessHub<ChatClient> {
 *   @NotEvent()
 *   format(text: string) { return text.trim(); }   // a helper, not callable by clients
 * }
 * ```
 */
export function NotEvent(): MethodDecorator {
  return (target, member) => {
    recordNotEvent(target, member);
  };
}
