import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DeliveryError } from './errors.js';

/** The folder an app's Dockerfile copies into its image: the esbuild bundle. */
export const BUNDLE_DIR = 'dist';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/**
 * The image tag of an app: a content hash of exactly what goes into its image (the Dockerfile, its
 * .dockerignore and every file of the bundle), so it is known before synth and before any build of the image, an
 * unchanged app keeps its tag (and its task definition), and a changed bundle always gets a new one.
 */
export function imageTag(appRoot: string): string {
  const dockerfile = join(appRoot, 'Dockerfile');
  const bundle = join(appRoot, BUNDLE_DIR);
  if (!existsSync(dockerfile)) throw new DeliveryError(`${dockerfile} not found: an app with an image has a Dockerfile`);
  if (!existsSync(bundle) || !statSync(bundle).isDirectory() || !existsSync(join(bundle, 'main.js'))) {
    const app = appRoot.split('/').pop() ?? appRoot;
    throw new DeliveryError(`${join(bundle, 'main.js')} not found: build the app first (npx nx build ${app})`);
  }
  const dockerignore = join(appRoot, '.dockerignore');
  const hash = createHash('sha256');
  for (const file of [dockerfile, ...(existsSync(dockerignore) ? [dockerignore] : []), ...filesUnder(bundle)]) {
    hash.update(relative(appRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}
