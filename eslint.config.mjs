import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (docs/decisions.md, "Workspace shape"):
 * - type: apps and stacks are leaves; libs never import apps or stacks.
 * - scope: runtime code (scope:shared) never reaches infrastructure code (scope:infra) and the
 *   other way round; the local environment is a development tool that apps may use in tests.
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
];
