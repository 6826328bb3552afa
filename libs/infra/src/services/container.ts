import { looksLikeSecretName, looksLikeSecretValue } from '@docflow/secrets';

/** The port every docflow HTTP app listens on in a container (PORT). */
export const CONTAINER_PORT = 8080;
/** uid:gid of the `node` user in the official Node.js images. */
export const NON_ROOT_USER = '1000:1000';
/** Fargate Spot sends SIGTERM, then SIGKILL after at most 120 s. */
export const MAX_STOP_TIMEOUT_SECONDS = 120;
/** The task volume mounted at /tmp (Fargate ephemeral storage), the one writable path. */
export const TMP_VOLUME = 'tmp';

/**
 * The guardrails policy rule that finds a secret in a synthesized container environment
 * (libs/guardrails, `npm run policy`): the construct's refusal names it, so that a refusal at synth
 * and a finding of the policy read the same.
 */
const CONTAINER_SECRETS_RULE = 'DOCFLOW_CONTAINER_SECRETS';

export interface ContainerProps {
  readonly name: string;
  readonly image: string;
  /** Plain configuration; a name or value that looks like a secret is refused. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables filled by ECS from Secrets Manager at start: name to `valueFrom` (ARN, optionally `:key::`). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly region: string;
  /** Container port, for HTTP services. @default - no port */
  readonly port?: number;
  /** HTTP path the container health check requests on `port`. @default - no container health check */
  readonly healthCheckPath?: string;
  readonly stopTimeoutSeconds: number;
  /** Replaces the image's CMD. @default - the image's CMD (`node main.js`) */
  readonly command?: readonly string[];
}

/**
 * Builds one container definition (the JSON ECS expects in `container_definitions`): read-only root
 * filesystem with a writable /tmp volume, non-root user, no Linux capabilities, an init process to
 * forward signals, awslogs in non-blocking mode, secrets only through `secrets`.
 */
export function containerDefinition(props: ContainerProps): Record<string, unknown> {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(props.environment)) {
    if (looksLikeSecretName(name)) problems.push(`environment variable "${name}" looks like a secret; pass it in secrets (${CONTAINER_SECRETS_RULE})`);
    else if (looksLikeSecretValue(value)) problems.push(`the value of environment variable "${name}" looks like a secret; pass it in secrets (${CONTAINER_SECRETS_RULE})`);
    if (name in props.secrets) problems.push(`"${name}" is set both in environment and in secrets`);
  }
  if (props.stopTimeoutSeconds < 2 || props.stopTimeoutSeconds > MAX_STOP_TIMEOUT_SECONDS) {
    problems.push(`stopTimeoutSeconds must be 2 to ${MAX_STOP_TIMEOUT_SECONDS}, got ${props.stopTimeoutSeconds}`);
  }
  if (props.healthCheckPath !== undefined && props.port === undefined) problems.push('healthCheckPath needs a port');
  if (problems.length > 0) throw new Error(`Container "${props.name}": ${problems.join('; ')}`);

  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    name: props.name,
    image: props.image,
    essential: true,
    user: NON_ROOT_USER,
    readonlyRootFilesystem: true,
    mountPoints: [{ sourceVolume: TMP_VOLUME, containerPath: '/tmp', readOnly: false }],
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
    stopTimeout: props.stopTimeoutSeconds,
    ...(props.command !== undefined ? { command: [...props.command] } : {}),
    environment: Object.entries(props.environment)
      .map(([name, value]) => ({ name, value }))
      .sort(byName),
    secrets: Object.entries(props.secrets)
      .map(([name, valueFrom]) => ({ name, valueFrom }))
      .sort(byName),
    ...(props.port !== undefined ? { portMappings: [{ name: 'http', containerPort: props.port, protocol: 'tcp' }] } : {}),
    ...(props.healthCheckPath !== undefined && props.port !== undefined
      ? {
          healthCheck: {
            // the Node.js images have no curl; node itself can make the request
            command: [
              'CMD',
              'node',
              '-e',
              `fetch('http://127.0.0.1:${props.port}${props.healthCheckPath}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
            ],
            interval: 15,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
        }
      : {}),
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': props.logGroupName,
        'awslogs-region': props.region,
        'awslogs-stream-prefix': props.name,
        mode: 'non-blocking',
        'max-buffer-size': '25m',
      },
    },
  };
}
