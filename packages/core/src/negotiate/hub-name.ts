import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** Hub names the service accepts. */
export const HUB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/**
 * Whether the service accepts this hub name: a letter, then up to 127 letters, digits or
 * `` _ ` , . [ ] ``.
 *
 * @example
 * ```ts
 * isValidHubName('chat'); // true
 * isValidHubName('my-hub'); // false: '-' is not allowed
 * ```
 */
export function isValidHubName(hubName: unknown): hubName is string {
  return typeof hubName === 'string' && HUB_NAME_PATTERN.test(hubName);
}

/** Throws `NEGOTIATE_OPTIONS_INVALID` unless the hub name is valid. Internal. */
export function assertHubName(hubName: unknown): asserts hubName is string {
  if (isValidHubName(hubName)) return;
  const shown = typeof hubName === 'string' ? JSON.stringify(hubName.length > 140 ? `${hubName.slice(0, 140)}…` : hubName) : typeof hubName;
  throw new ServerlessHubError(
    'NEGOTIATE_OPTIONS_INVALID',
    `Hub name ${shown} is invalid: it must start with a letter and contain only letters, digits and _ \` , . [ ] (at most 128 characters).`,
  );
}
