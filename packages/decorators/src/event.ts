import { recordEventName } from './metadata.js';

/**
 * Gives a hub method an explicit event name (the invocation target the client uses) instead of its
 * method name. Event names are matched case-insensitively, as the service does.
 *
 * @param name the event name, e.g. `'send'`: letters, digits, `_`, `-` and `.`, starting with a letter or `_`.
 *
 * @example
 * ```ts
 * class Chat extends ServerlessHub<ChatClient> {
 *   @Event('send')            // client: connection.invoke('send', text)
 *   async broadcast(text: string) {}
 * }
 * ```
 */
export function Event(name: string): MethodDecorator {
  return (target, member) => {
    recordEventName(target, member, name);
  };
}
