/**
 * The prefix of the claims the service keeps for itself (`asrs.s.*`): apps may not set them. Apart from the
 * other claim constants so that checking options at registration does not load the token code.
 */
export const SYSTEM_CLAIM_PREFIX = 'asrs.s.';
