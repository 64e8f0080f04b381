import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { HUB_NAME_RULE, isValidHubName } from '../hub/hub-name.js';

/** Throws `NEGOTIATE_OPTIONS_INVALID` unless the hub name is valid. Internal. */
export function assertHubName(hubName: unknown): asserts hubName is string {
  if (isValidHubName(hubName)) return;
  const shown =
    typeof hubName === 'string'
      ? JSON.stringify(hubName.length > 140 ? `${hubName.slice(0, 140)}…` : hubName)
      : typeof hubName;
  throw new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', `Hub name ${shown} is invalid: ${HUB_NAME_RULE}.`);
}
