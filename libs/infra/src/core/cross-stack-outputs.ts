import { TerraformOutput, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

/** The id prefix cdktf gives the outputs it creates for cross-stack references. */
const CROSS_STACK_OUTPUT_PREFIX = 'cross-stack-output-';

/**
 * cdktf marks every cross-stack output sensitive, which makes Terraform hide every value that uses
 * one (a whole container definition, a pipe's target) in `plan`, so a pull request's diff shows
 * nothing useful. docflow passes only identifiers between stacks (ids, ARNs, names, URLs; secrets
 * travel as Secrets Manager ARNs), so they are shown.
 */
export class VisibleCrossStackOutputs implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof TerraformOutput && node.node.id.startsWith(CROSS_STACK_OUTPUT_PREFIX)) {
      node.sensitive = false;
    }
  }
}
