import { recordHub } from './metadata.js';
import type { HubOptions } from './metadata.js';

/**
 * Marks a class (extending `ServerlessHub`) as a hub and names it. Without a name the class name is
 * used; registration refuses class names that look generated or minified, so give an explicit name when
 * the app is bundled with a minifier.
 *
 * @param nameOrOptions the hub name, or {@link HubOptions} (name, connection setting, negotiate options).
 *
 * @example
 * ```ts
 * @Hub() class Chat extends ServerlessHub<ChatClient> {}          // hub "Chat"
 * @Hub('chat') class ChatHub extends ServerlessHub<ChatClient> {}  // hub "chat"
 * @Hub({
 *   name: 'chat',
 *   connectionStringSetting: 'ChatSignalR',
 *   negotiate: { userId: '{headers.x-ms-client-principal-id}' },
 * })
 * class Chat2 extends ServerlessHub<ChatClient> {}
 * ```
 */
export function Hub(nameOrOptions?: string | HubOptions): ClassDecorator {
  const options: HubOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : { ...(nameOrOptions ?? {}) };
  return (target) => {
    recordHub(target, options);
  };
}
