/**
 * A Functions-host function name for a hub's function: `<hub>_<part>`, lowercased, with every character
 * the host refuses (anything but a-z, 0-9, `_`, `-`) replaced by `_`. Hub names start with a letter, so
 * the result does too; length and collisions are checked when the function is recorded.
 *
 * @example
 * ```ts
 * functionNameFor('Chat.v2', 'sendToGroup'); // 'chat_v2_sendtogroup'
 * ```
 */
export function functionNameFor(hubName: string, part: string): string {
  return `${hubName}_${part}`.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}
