// @ts-check
/**
 * Nx plugin (named in nx.json): the delivery targets, declared once for every project that has the
 * file they need, so a new stack or a new app gets them without copying configuration.
 *
 * - `stacks/project.json` (the cdktf app): `synth`, one configuration per environment (none: every
 *   environment). cdktf synthesizes an environment as a whole (a stack's outputs depend on which
 *   other stacks read them), so this is the one synth that runs and is cached.
 * - `stacks/<name>/package.json` (a stack project): `synth` (after the app's), `diff`, `deploy`,
 *   `destroy`, `state`, each with one configuration per environment, `dev` by default.
 *   `deploy` runs after the `deploy` of the stacks it depends on and the `image` of its app;
 *   `destroy` after the `destroy` of the stacks that depend on it (read from the same package.json
 *   dependencies that give Nx its edges; a test compares both against the Nx task graph).
 * - `apps/<app>/package.json` of a deployable app (tag `type:app`): `image` (after `build`), one
 *   configuration per environment, built from `apps/<app>/Dockerfile` or else the shared
 *   `apps/Dockerfile`.
 *
 * Plain JavaScript: Nx loads it before any TypeScript tooling runs (Node 20 cannot strip types).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const name = '@docflow/delivery';

/** The delivery CLI, as every target runs it (from the workspace root). */
export const CLI = 'node --import tsx libs/delivery/src/cli/main.ts';

/**
 * @typedef {{ environments?: string[], appProject?: string, defaultEnvironment?: string }} DeliveryPluginOptions
 * @typedef {{ name?: string, dependencies?: Record<string, string>, nx?: { name?: string, tags?: string[], implicitDependencies?: string[] } }} PackageJson
 */

/** @param {string} file */
const readJson = (file) => /** @type {PackageJson} */ (JSON.parse(readFileSync(file, 'utf8')));

/**
 * @param {string[]} environments
 * @param {(env: string) => string} command
 */
function perEnvironment(environments, command) {
  return Object.fromEntries(environments.map((env) => [env, { command: command(env) }]));
}

/**
 * @param {string} stack short stack name (the folder under stacks/)
 * @param {{ environments: string[], defaultEnvironment: string, appProject: string, downstream: string[], images: string[], imageProjects?: string[] }} settings
 */
export function stackTargets(stack, { environments, defaultEnvironment, appProject, downstream, images, imageProjects = [] }) {
  const imageArgs = images.map((root) => ` --image ${root}`).join('');
  /** @param {string} verb @param {string} [extra] */
  const target = (verb, extra = '') => ({
    executor: 'nx:run-commands',
    defaultConfiguration: defaultEnvironment,
    options: { cwd: '{workspaceRoot}' },
    configurations: perEnvironment(environments, (env) => `${CLI} ${verb} ${stack} --env ${env}${extra}`),
  });
  return {
    synth: {
      ...target('synth'),
      configurations: perEnvironment(environments, (env) => `node libs/delivery/src/nx/synthesized.mjs ${stack} ${env}`),
      dependsOn: [{ projects: [appProject], target: 'synth' }],
      outputs: environments.map((env) => `{workspaceRoot}/cdktf.out/stacks/${env}-${stack}`),
      metadata: { description: `Show what the cdktf app synthesized for ${stack} (the app synthesizes the whole environment)` },
    },
    diff: {
      ...target('diff', imageArgs),
      dependsOn: ['synth', '^build'],
      cache: false,
      metadata: { description: `Plan ${stack}: what deploy would change (saves plan.tfplan and plan.json)` },
    },
    deploy: {
      ...target('deploy', imageArgs),
      // the image of exactly the app the stack runs (`^image` would also reach the apps that app
      // depends on, e.g. the exporter's tests use the api, ingest and worker bundles)
      dependsOn: ['synth', '^deploy', ...(imageProjects.length > 0 ? [{ projects: imageProjects, target: 'image' }] : [])],
      cache: false,
      metadata: { description: `Apply ${stack}, after its upstream stacks and its app's image` },
    },
    destroy: {
      ...target('destroy'),
      dependsOn: ['synth', ...(downstream.length > 0 ? [{ projects: downstream, target: 'destroy', params: 'forward' }] : [])],
      cache: false,
      metadata: { description: `Destroy ${stack}, after the stacks that depend on it (prod needs --confirm prod)` },
    },
    state: {
      ...target('state'),
      dependsOn: ['synth'],
      cache: false,
      metadata: { description: `What Terraform holds for ${stack}: resources by construct, masked outputs, drift of addresses` },
    },
  };
}

/**
 * @param {string} app project name
 * @param {string} root app folder
 * @param {{ environments: string[], defaultEnvironment: string }} settings
 */
export function imageTargets(app, root, { environments, defaultEnvironment }) {
  return {
    image: {
      executor: 'nx:run-commands',
      dependsOn: ['build'],
      cache: false,
      defaultConfiguration: defaultEnvironment,
      options: { cwd: '{workspaceRoot}' },
      configurations: perEnvironment(environments, (env) => `${CLI} image ${root} --env ${env}`),
      metadata: { description: `Build and push the ${app} image, tagged with the content hash of its bundle and Dockerfile` },
    },
  };
}

/** Prints the settings that change what synth writes (synth-settings.mjs), so that Nx hashes them with the sources. */
const SYNTH_SETTINGS = 'node libs/delivery/src/nx/synth-settings.mjs';

/**
 * @param {string[]} environments
 * Each configuration caches only its environment's folders (`cdktf.out/stacks/<env>-*`), so
 * restoring one environment from the cache never removes another's.
 */
export function appSynthTargets(environments) {
  return {
    synth: {
      executor: 'nx:run-commands',
      options: { command: `${CLI} synth`, cwd: '{workspaceRoot}', forwardAllArgs: false, synthesized: '{workspaceRoot}/cdktf.out' },
      configurations: Object.fromEntries(environments.map((env) => [env, { command: `${CLI} synth --env ${env}`, synthesized: `{workspaceRoot}/cdktf.out/stacks/${env}-*` }])),
      cache: true,
      inputs: ['production', '^production', { runtime: SYNTH_SETTINGS }],
      outputs: ['{options.synthesized}'],
      metadata: { description: 'Synthesize every stack of the environment (of every environment without -c)' },
    },
  };
}

/** @type {import('nx/src/project-graph/plugins/public-api').CreateNodes<DeliveryPluginOptions>} */
export const createNodes = [
  '{stacks/project.json,stacks/*/package.json,apps/*/package.json}',
  (files, options, context) => {
    const environments = options?.environments ?? ['dev', 'staging', 'prod'];
    const defaultEnvironment = options?.defaultEnvironment ?? environments[0] ?? 'dev';
    const appProject = options?.appProject ?? 'stacks';
    const root = context.workspaceRoot;

    // deployable apps (they have an image), by Nx project name
    /** @type {Map<string, string>} */
    const imageRoots = new Map();
    for (const file of files.filter((f) => f.startsWith('apps/'))) {
      const pkg = readJson(join(root, file));
      if (pkg.nx?.tags?.includes('type:app')) imageRoots.set(pkg.nx?.name ?? basename(dirname(file)), dirname(file));
    }

    // stack projects: package name -> { project name, folder, upstream package names }
    const stackFiles = files.filter((f) => f.startsWith('stacks/') && basename(f) === 'package.json');
    const stacks = stackFiles.map((file) => {
      const pkg = readJson(join(root, file));
      return {
        file,
        root: dirname(file),
        packageName: pkg.name ?? '',
        project: pkg.nx?.name ?? basename(dirname(file)),
        upstream: Object.keys(pkg.dependencies ?? {}),
        implicit: pkg.nx?.implicitDependencies ?? [],
      };
    });

    /** @type {import('nx/src/project-graph/plugins/public-api').CreateNodesResultArray} */
    const results = [];
    for (const stack of stacks) {
      const downstream = stacks.filter((other) => other.upstream.includes(stack.packageName)).map((other) => other.project);
      const imageProjects = stack.implicit.filter((project) => imageRoots.has(project));
      const images = imageProjects.map((project) => /** @type {string} */ (imageRoots.get(project)));
      results.push([
        stack.file,
        { projects: { [stack.root]: { targets: stackTargets(basename(stack.root), { environments, defaultEnvironment, appProject, downstream, images, imageProjects }) } } },
      ]);
    }
    for (const [app, appRoot] of imageRoots) {
      results.push([join(appRoot, 'package.json'), { projects: { [appRoot]: { targets: imageTargets(app, appRoot, { environments, defaultEnvironment }) } } }]);
    }
    if (files.includes('stacks/project.json')) {
      results.push(['stacks/project.json', { projects: { stacks: { targets: appSynthTargets(environments) } } }]);
    }
    return results;
  },
];

/**
 * The configuration asked for on the command line (`-c qa`, `--configuration=qa`, `proj:target:qa`).
 * @param {string[]} argv
 * @returns {string | undefined}
 */
export function requestedConfiguration(argv) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-c' || arg === '--configuration') return argv[i + 1];
    const match = /^(?:-c|--configuration)=(.*)$/.exec(arg);
    if (match) return match[1];
  }
  const [command, target] = argv;
  if (command === 'run' && target && target.split(':').length === 3) return target.split(':')[2];
  return undefined;
}

/**
 * Nx runs a target's default configuration when the one asked for does not exist, so
 * `-c qa` would quietly deploy dev: refuse an unknown environment before any task runs.
 * @type {import('nx/src/project-graph/plugins/public-api').PreTasksExecution<DeliveryPluginOptions>}
 */
export const preTasksExecution = (options, context) => {
  const environments = options?.environments ?? ['dev', 'staging', 'prod'];
  const configuration = requestedConfiguration(context.argv.slice(2));
  if (configuration === undefined || environments.includes(configuration)) return;
  // other plugins' configurations (e.g. production builds) are not environments
  if (!context.argv.some((arg) => /(^|[:=\s])(synth|diff|deploy|destroy|state|image)(\b|$)/.test(arg))) return;
  throw new Error(`unknown environment "${configuration}" (known: ${environments.join(', ')}; nx.json lists them for the delivery plugin)`);
};
