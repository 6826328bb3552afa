import type { App } from 'cdktf';
import { DocflowStack, type Foundation } from '../core/docflow-stack.js';
import type { EnvironmentConfig } from '../environments/types.js';
import { WorkloadBoundary } from '../foundation/workload-boundary.js';

/** The least a foundation stack holds (the boundary), for tests of stacks that need one. */
class TestFoundation extends DocflowStack implements Foundation {
  readonly workloadBoundary: WorkloadBoundary;

  constructor(scope: App, env: EnvironmentConfig) {
    super(scope, 'foundation', { env, workloadIam: false });
    this.workloadBoundary = new WorkloadBoundary(this, 'WorkloadBoundary', { envName: env.name, region: env.region });
  }
}

/** GIVEN an app and an environment, a foundation stack `<env>-foundation` with the workload boundary. */
export function testFoundation(scope: App, env: EnvironmentConfig): Foundation {
  return new TestFoundation(scope, env);
}
