import { recordEvent } from './metadata.js';

/**
 * Marks a hub method as an event, optionally under an explicit event name (the invocation target the
 * client uses) instead of its method name. Event names are matched case-insensitively, as the service
 * does. In a hub whose `eventMode` is `explicit`, only methods marked `@HubEvent()` are events.
 *
 * @param name the event name, e.g. `'send'`: letters, digits, `_`, `-` and `.`, starting with a letter or `_`.
 * Default: the method name.
 *
 * @example
 * ```ts
 * class Chat extends ServerlessHub<ChatClient> {
 *   @HubEvent('send')            // client: connection.invoke('send', text)
 *   async broadcast(text: string) {}
 *
 *   @HubEvent()                  // client: connection.invoke('echo', value)
 *   echo(value: unknown) { return value; }
 * }
 * ```
 */
export function HubEvent(name?: string): MethodDecorator {
  return (target, member) => {
    recordEvent(target, member, name);
  };
}
