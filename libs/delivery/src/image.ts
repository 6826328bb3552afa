import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { DeliveryError } from './errors.js';
import { dockerfileFor, imageTag } from './image-tag.js';

/** The registry images are pushed to (e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`), set in CI after logging in. */
export const REGISTRY_VARIABLE = 'DOCFLOW_IMAGE_REGISTRY';

/**
 * The full image repository of an app whose image does not go to DOCFLOW_IMAGE_REGISTRY: the
 * exporter's is in Artifact Registry (the gcp-registry stack's `exporter_image_repository` output),
 * `DOCFLOW_IMAGE_REPOSITORY_EXPORTER=europe-west1-docker.pkg.dev/<project>/docflow-<env>/exporter`.
 */
export function imageRepositoryVariable(app: string): string {
  return `DOCFLOW_IMAGE_REPOSITORY_${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The ECR repository of an app in an environment (libs/infra Repositories: `docflow-<env>-<app>`). */
export function repositoryName(env: string, app: string): string {
  return `docflow-${env}-${app}`;
}

export interface ImageResult {
  readonly app: string;
  readonly tag: string;
  /** `<registry>/<repository>:<tag>` (or `<DOCFLOW_IMAGE_REPOSITORY_<APP>>:<tag>`), when one is configured. */
  readonly reference?: string;
  readonly outcome: 'tagged' | 'pushed' | 'exists';
}

function docker(args: readonly string[], stream: boolean): number {
  const result = spawnSync('docker', [...args], { stdio: stream ? 'inherit' : 'ignore' });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new DeliveryError('docker is not installed: images are built and pushed in GitHub Actions (deploy.yml), where Docker runs');
    throw new DeliveryError(`docker ${args[0] ?? ''} could not run: ${result.error.message}`);
  }
  return result.status ?? 1;
}

/**
 * The `image` target: the app's content-hash tag (bundle and Dockerfile), and, with a registry
 * configured, its image built from the app folder (apps/Dockerfile, or the app's own, copies the
 * bundle) and pushed,
 * unless that tag is already there (ECR and Artifact Registry tags are immutable; an unchanged app is never rebuilt).
 * The image goes to `DOCFLOW_IMAGE_REPOSITORY_<APP>` when that is set (the exporter's Artifact
 * Registry repository), else to `DOCFLOW_IMAGE_REGISTRY/docflow-<env>-<app>` (ECR).
 * Without a registry it only reports the tag: there is no Docker engine on the build machines.
 */
export function buildImage(appRoot: string, env: string, vars: NodeJS.ProcessEnv = process.env): ImageResult {
  const app = basename(appRoot);
  const tag = imageTag(appRoot);
  const registry = vars[REGISTRY_VARIABLE];
  const ownRepository = vars[imageRepositoryVariable(app)];
  if (!ownRepository && !registry) return { app, tag, outcome: 'tagged' };
  const reference = ownRepository ? `${ownRepository}:${tag}` : `${registry}/${repositoryName(env, app)}:${tag}`;
  if (docker(['manifest', 'inspect', reference], false) === 0) return { app, tag, reference, outcome: 'exists' };
  const built = docker(['buildx', 'build', '--platform', 'linux/amd64', '--provenance=false', '--file', dockerfileFor(appRoot), '--tag', reference, '--push', appRoot], true);
  if (built !== 0) throw new DeliveryError(`${app}: docker build of ${reference} failed (its output is above)`);
  return { app, tag, reference, outcome: 'pushed' };
}
