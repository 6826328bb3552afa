import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DeliveryError } from './errors.js';

/** The folder an app's Dockerfile copies into its image: the esbuild bundle. */
export const BUNDLE_DIR = 'dist';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** The Dockerfile an app's image is built from: its own, else the shared `apps/Dockerfile`. */
export function dockerfileFor(appRoot: string): string {
  const own = join(appRoot, 'Dockerfile');
  return existsSync(own) ? own : join(dirname(appRoot), 'Dockerfile');
}

/** Its .dockerignore: BuildKit reads `<Dockerfile>.dockerignore` first, else the context's `.dockerignore`. */
function dockerignoreFor(appRoot: string, dockerfile: string): string | undefined {
  return [`${dockerfile}.dockerignore`, join(appRoot, '.dockerignore')].find((file) => existsSync(file));
}

/**
 * The image tag of an app: a content hash of exactly what goes into its image (the Dockerfile, its
 * .dockerignore and every file of the bundle), so it is known before synth and before any build of the image, an
 * unchanged app keeps its tag (and its task definition), and a changed bundle always gets a new one.
 */
export function imageTag(appRoot: string): string {
  const dockerfile = dockerfileFor(appRoot);
  const bundle = join(appRoot, BUNDLE_DIR);
  if (!existsSync(dockerfile)) throw new DeliveryError(`${dockerfile} not found: an app's image is built from apps/<app>/Dockerfile or apps/Dockerfile`);
  if (!existsSync(bundle) || !statSync(bundle).isDirectory() || !existsSync(join(bundle, 'main.js'))) {
    const app = appRoot.split('/').pop() ?? appRoot;
    throw new DeliveryError(`${join(bundle, 'main.js')} not found: build the app first (npx nx build ${app})`);
  }
  const dockerignore = dockerignoreFor(appRoot, dockerfile);
  const hash = createHash('sha256');
  for (const file of [dockerfile, ...(dockerignore ? [dockerignore] : []), ...filesUnder(bundle)]) {
    hash.update(relative(appRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}
