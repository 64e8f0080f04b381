import { recordParameter } from './metadata.js';

/**
 * Injects the hub invocation context (connection id, user id, claims, query, headers, hub, event,
 * error) into this parameter instead of a client argument. The same object is `this.context`.
 *
 * @example
 * ```ts
 * async broadcast(@HubContext() context: HubInvocationContext, text: string) {
 *   await this.clients.all.newMessage({ from: context.connectionId, text });
 * }
 * ```
 */
export function HubContext(): ParameterDecorator {
  return (target, member, index) => {
    recordParameter(target, member, index, 'hub-context');
  };
}
