/**
 * What a secret looks like, shared by the constructs (which refuse to put one in a container's
 * environment) and the policy checks (which look for one in every synthesized stack).
 */

/** Variable names that carry credentials. */
export const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEYS?|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|SESSION_?KEY/i;

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // URL with user:password@
  /(password|passwd|secret|token)=/i,
];

/** A long run of base64/hex characters with both letters and digits, as a generated key would be. */
const HIGH_ENTROPY = /^[A-Za-z0-9+/=_-]{32,}$/;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

export function looksLikeSecretValue(value: string): boolean {
  if (SECRET_VALUE_PATTERNS.some((pattern) => pattern.test(value))) return true;
  // Terraform references and ARNs are not secrets, whatever their length
  if (value.includes('${') || value.startsWith('arn:')) return false;
  return HIGH_ENTROPY.test(value) && /[0-9]/.test(value) && /[a-zA-Z]/.test(value);
}
