import { z } from 'zod';

/** Raised when the environment does not describe a runnable service; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for ${app}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against a schema whose keys are variable names. Empty strings count
 * as unset, so `FOO=` in a shell falls back to the default instead of failing obscurely.
 */
export function parseEnv<S extends z.ZodObject>(app: string, schema: S, env: Env): z.infer<S> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') present[key] = value;
  }
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(app, result.error.issues.map((issue) => describeIssue(issue, present)));
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const variable = String(issue.path[0] ?? '(environment)');
  const value = env[variable];
  if (value === undefined) return `${variable}: ${issue.message === 'Invalid input: expected string, received undefined' ? 'is required' : issue.message}`;
  const shown = isSecretName(variable) ? '<redacted>' : JSON.stringify(value);
  return `${variable}: ${issue.message} (got ${shown})`;
}

const SECRET_NAME = /PASSWORD|SECRET|KEY|TOKEN|DATABASE_URL/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Integer from an environment string, inside a range. */
export function intVar(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

/** Boolean from an environment string: true/false, 1/0, yes/no. */
export function boolVar() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes');
}

/**
 * Loads a service's configuration, or prints what is wrong and stops the process with status 1:
 * a service with a bad environment must not start half-configured.
 */
export function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
