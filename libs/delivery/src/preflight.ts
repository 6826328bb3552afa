import { basename } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeliveryError } from './errors.js';
import { repositoryName } from './image.js';
import type { StackRef, TerraformConfig } from './workspace.js';

/** The environment variable (an ECS secret) that carries the API keys, and where they live. */
const API_KEYS_VARIABLE = 'DOCFLOW_API_KEYS';
const apiKeysSecretName = (env: string) => `docflow-${env}/api-keys`;

/** What must exist in AWS before a service stack's first apply, or ECS waits for a steady state that never comes. */
export interface FirstApplyNeeds {
  readonly region: string;
  /** The image the service runs: `docflow-<env>-<app>:<tag>`. */
  readonly image?: { readonly repository: string; readonly tag: string };
  /** Secrets Manager secrets the containers read and nothing writes (Terraform creates them empty). */
  readonly secrets: readonly string[];
}

/** The questions the checks ask AWS (answered by the SDK; tests answer with a stand-in). */
export interface AwsChecks {
  imageExists(region: string, repository: string, tag: string): Promise<boolean>;
  secretHasValue(region: string, secretId: string): Promise<boolean>;
}

/** The checks against AWS through the SDK (the deploy role's credentials). */
export function sdkChecks(): AwsChecks {
  return {
    async imageExists(region, repository, tag) {
      try {
        const images = await new ECRClient({ region }).send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
        return (images.imageDetails ?? []).length > 0;
      } catch (error) {
        if ((error as { name?: string }).name === 'ImageNotFoundException' || (error as { name?: string }).name === 'RepositoryNotFoundException') return false;
        throw error;
      }
    },
    async secretHasValue(region, secretId) {
      try {
        const versions = await new SecretsManagerClient({ region }).send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
        return (versions.Versions ?? []).some((version) => version.VersionStages?.includes('AWSCURRENT'));
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
        throw error;
      }
    },
  };
}

interface ContainerDefinition {
  readonly secrets?: readonly { readonly name: string }[];
}

/**
 * What a service stack needs before its first apply: the image of its app under the content-hash
 * tag, and the API-keys secret with a value when a container reads it. Undefined for a stack that
 * runs no ECS task (nothing to check).
 */
export function firstApplyNeeds(ref: StackRef, config: TerraformConfig, app: { readonly root: string; readonly tag: string } | undefined): FirstApplyNeeds | undefined {
  const taskDefinitions = Object.values(config.resource?.['aws_ecs_task_definition'] ?? {});
  if (taskDefinitions.length === 0) return undefined;
  const region = ((config.provider?.['aws'] ?? []) as { region?: string }[])[0]?.region;
  if (region === undefined) return undefined;
  const containers = taskDefinitions.flatMap((task) => {
    try {
      return JSON.parse(String(task['container_definitions'] ?? '[]')) as ContainerDefinition[];
    } catch {
      return [];
    }
  });
  const readsApiKeys = containers.some((container) => (container.secrets ?? []).some((secret) => secret.name === API_KEYS_VARIABLE));
  return {
    region,
    ...(app ? { image: { repository: repositoryName(ref.env, basename(app.root)), tag: app.tag } } : {}),
    secrets: readsApiKeys ? [apiKeysSecretName(ref.env)] : [],
  };
}

/** Stops a first apply that could not become healthy, saying what to do first. */
export async function checkFirstApply(ref: StackRef, needs: FirstApplyNeeds, checks: AwsChecks): Promise<void> {
  const problems: string[] = [];
  if (needs.image && !(await checks.imageExists(needs.region, needs.image.repository, needs.image.tag))) {
    const app = needs.image.repository.slice(`docflow-${ref.env}-`.length);
    problems.push(
      `the image ${needs.image.repository}:${needs.image.tag} is not in ECR (${needs.region}): push it first (deploy.yml does, through npx nx run ${app}:image -c ${ref.env} with Docker and DOCFLOW_IMAGE_REGISTRY)`,
    );
  }
  for (const secret of needs.secrets) {
    if (!(await checks.secretHasValue(needs.region, secret))) {
      problems.push(`the secret ${secret} has no value: aws secretsmanager put-secret-value --secret-id ${secret} --secret-string '<key1>,<key2>' (each key at least 16 characters)`);
    }
  }
  if (problems.length > 0) throw new DeliveryError(`${ref.id} cannot start its service yet (first apply): ${problems.join('; ')}`);
}
