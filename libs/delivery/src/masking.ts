/**
 * Secret masking: the one place that decides what of a value may be shown. The state explorer, the
 * pull-request comment and the guardrails' config diff all print through it.
 *
 * A string is masked when its key looks like a credential (`DB_PASSWORD`, `api_key`, ...), when the
 * value itself looks like one (a URL with a password, an access key, a private key, a long random
 * token), and inside JSON-string attributes such as ECS `container_definitions`, where an
 * environment entry `{ "name": "DB_PASSWORD", "value": "..." }` names its secret in a sibling field.
 * Terraform references (`${...}`), ARNs and UUIDs are identifiers, never masked.
 */
import { looksLikeSecretName, looksLikeSecretValue } from '@docflow/secrets';

/** What a masked value is replaced with. */
export const MASKED = '(masked)';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** References, ARNs and UUIDs (resource ids, state lineage) identify things; they are not secrets. */
const isIdentifier = (value: string) => value.includes('${') || value.startsWith('arn:') || UUID.test(value);

/** A string that holds a JSON object or array (container_definitions, policies, ...). */
function parseJsonString(value: string): unknown {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}')) && !(trimmed.startsWith('[') && trimmed.endsWith(']'))) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function maskString(value: string, secretKey: boolean): string {
  if (isIdentifier(value)) return value;
  const parsed = parseJsonString(value);
  if (parsed !== undefined) return JSON.stringify(maskSecrets(parsed));
  if (secretKey || looksLikeSecretValue(value)) return MASKED;
  return maskSecretsInText(value);
}

/**
 * A copy of `value` with every secret-looking string masked, at any depth, JSON strings included.
 * `key` is the name the value is stored under, when there is one.
 */
export function maskSecrets(value: unknown, key?: string): unknown {
  const secretKey = key !== undefined && looksLikeSecretName(key);
  if (typeof value === 'string') return maskString(value, secretKey);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, key));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  // { name: "DB_PASSWORD", value: "..." }: ECS environment entries, tags, parameters
  const namedSecret = typeof record['name'] === 'string' && looksLikeSecretName(record['name']);
  return Object.fromEntries(
    Object.entries(record).map(([field, item]) => [field, field === 'value' && namedSecret && typeof item === 'string' ? maskString(item, true) : maskSecrets(item, field)]),
  );
}

const TEXT_PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, MASKED],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, MASKED],
  // scheme://user:password@host -> scheme://user:(masked)@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+):[^/\s@"']+@/gi, `$1:${MASKED}@`],
  // password=..., token: ...
  [/\b(password|passwd|secret|token|api_?key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi, `$1$2${MASKED}`],
];

/** Free text (a plan line, a log) with secret-looking substrings masked. */
export function maskSecretsInText(text: string): string {
  return TEXT_PATTERNS.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), text);
}
