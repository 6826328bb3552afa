import { join } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './docflow-process.js';

/**
 * The module boundaries are a promise of the workspace: apps never import apps, runtime code and
 * infrastructure code never import each other, providers are imported deeply. These lint a probe
 * file at a path inside a project, with the workspace's own ESLint configuration, and check that
 * the rule fires (and that an allowed import stays clean, so the check cannot pass vacuously).
 */
let eslint: ESLint;

beforeAll(async () => {
  // the boundaries rule reads Nx's project graph and skips itself when none is cached
  await createProjectGraphAsync({ exitOnError: true });
  eslint = new ESLint({ cwd: WORKSPACE_ROOT });
}, 120_000);

async function lint(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(WORKSPACE_ROOT, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('module boundaries, as lint enforces them', () => {
  it('an app importing another app is refused', async () => {
    expect(await lint('apps/api/src/probe.ts', "import '@docflow/ingest';\nexport {};\n")).toEqual([
      '@nx/enforce-module-boundaries: Imports of apps are forbidden',
    ]);
  });

  it('runtime libraries and infrastructure never import each other', async () => {
    expect(await lint('libs/db/src/probe.ts', "import { Network } from '@docflow/infra';\nexport { Network };\n")).toEqual([
      '@nx/enforce-module-boundaries: A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"',
    ]);
    expect(await lint('libs/infra/src/probe.ts', "import { createPool } from '@docflow/db';\nexport { createPool };\n")).toEqual([
      '@nx/enforce-module-boundaries: A project tagged with "scope:infra" can only depend on libs tagged with "scope:infra"',
    ]);
  });

  it('a library importing an app is refused', async () => {
    expect(await lint('libs/infra/src/probe.ts', "import '@docflow/api';\nexport {};\n")).toEqual([
      '@nx/enforce-module-boundaries: Imports of apps are forbidden',
    ]);
    // an import that closes a cycle is refused too (worker already depends on queue)
    expect(await lint('libs/queue/src/probe.ts', "import '@docflow/worker';\nexport {};\n")).toEqual([
      expect.stringMatching(/^@nx\/enforce-module-boundaries: Circular dependency between "queue" and "worker"/),
    ]);
  });

  it('the cdktf provider barrel is refused in infrastructure code', async () => {
    const messages = await lint('libs/infra/src/probe.ts', "import { Vpc } from '@cdktf/provider-aws';\nexport { Vpc };\n");
    expect(messages).toEqual([expect.stringMatching(/^no-restricted-imports: .*Import the resource module deeply/)]);
  });

  it('the Google provider stays in the GCP constructs and stacks, and the AWS provider out of them', async () => {
    const google = "import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket/index.js';\nexport { StorageBucket };\n";
    const refused = [expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*@cdktf\/provider-google is imported only in libs\/infra-gcp and stacks\/gcp-\*/)];
    expect(await lint('libs/infra/src/probe.ts', google)).toEqual(refused);
    expect(await lint('stacks/network/src/probe.ts', google)).toEqual(refused);
    expect(await lint('apps/exporter/src/probe.ts', google)).toEqual(refused);
    expect(await lint('libs/infra-gcp/src/probe.ts', google)).toEqual([]);
    expect(await lint('stacks/gcp-export/src/probe.ts', google)).toEqual([]);
    const aws = "import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';\nexport { Vpc };\n";
    expect(await lint('stacks/gcp-export/src/probe.ts', aws)).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*@cdktf\/provider-aws is imported only in libs\/infra and the AWS stacks/),
    ]);
  });

  it('allowed imports pass: a service using shared libraries, a test using the local environment', async () => {
    expect(await lint('apps/api/src/probe.ts', "import { createPool } from '@docflow/db';\nexport { createPool };\n")).toEqual([]);
    expect(await lint('libs/db/src/probe.test.ts', "import { startTestPostgres } from '@docflow/local/testing';\nexport { startTestPostgres };\n")).toEqual([]);
  });
});
