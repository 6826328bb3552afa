import type { EnvironmentConfig } from '../environments/types.js';

/** Plain variables every docflow app gets in a deployed environment (see @docflow/config). */
export function appEnvironment(env: EnvironmentConfig): Record<string, string> {
  return {
    DOCFLOW_ENV: env.name,
    LOG_LEVEL: 'info',
    AWS_REGION: env.region,
  };
}
