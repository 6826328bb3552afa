import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (docs/decisions.md, "Workspace shape"):
 * - type: apps and stacks are leaves; libs never import apps or stacks.
 * - scope: runtime code (scope:shared) never reaches infrastructure code (scope:infra) and the
 *   other way round; the local environment is a development tool that apps may use in tests.
 *   @docflow/contracts carries both tags: it is the contract between the two sides (the queue
 *   message, and the task-stopped rules the worker stack deploys and the worker reads), and
 *   depends on nothing of either.
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:stack', onlyDependOnLibsWithTags: ['type:lib', 'type:stack'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:local', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:infra'] },
  { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:exporter', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] },
  { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:shared', 'scope:local', 'scope:infra'] },
];

/**
 * Tests and `testing` helpers may also use the local environment (embedded PostgreSQL, the
 * emulator): that is how every project tests against real parts.
 */
const testDepConstraints = depConstraints.map((constraint) =>
  constraint.sourceTag === 'scope:shared'
    ? { ...constraint, onlyDependOnLibsWithTags: ['scope:shared', 'scope:local'] }
    : constraint,
);

const boundaryOptions = (constraints) => ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: constraints }];

/**
 * Each cloud's cdktf provider stays with its own infrastructure (docs/decisions.md, "GCP: the
 * off-site archive"): the Google provider only in libs/infra-gcp and the stacks/gcp-* projects,
 * which switch this off in their own configuration (`googleProviderHere`) and refuse the AWS
 * provider instead. A move of the Google side to another provider package is then a change of
 * those projects only. (`@typescript-eslint/no-restricted-imports`, so that it adds to the core
 * rule the infrastructure projects use for deep imports instead of replacing it.)
 */
const providerOutside = (provider, where) => ({
  regex: `^@cdktf/provider-${provider}(-beta)?(/.*)?$`,
  message: `@cdktf/provider-${provider} is imported only in ${where} (docs/decisions.md, "GCP: the off-site archive")`,
});
export const googleProviderElsewhere = {
  files: ['**/*.ts'],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [providerOutside('google', 'libs/infra-gcp and stacks/gcp-*')] }] },
};
export const googleProviderHere = {
  files: ['**/*.ts'],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [providerOutside('aws', 'libs/infra and the AWS stacks')] }] },
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/out-tsc',
      '**/coverage',
      '**/cdktf.out',
      '**/.docflow',
      '**/vite.config.*.timestamp*',
      '**/vitest.config.*.timestamp*',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    // config files sit outside every project's source and reach for the workspace root on purpose
    ignores: ['**/eslint.config.mjs', '**/vitest.config.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaryOptions(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.test.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaryOptions(testDepConstraints),
    },
  },
  googleProviderElsewhere,
];
