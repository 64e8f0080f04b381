const hubNamePattern = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/** Whether a hub (or application) name is valid for the service: `^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$`. */
export function isValidHubName(name: string): boolean {
  return hubNamePattern.test(name);
}
