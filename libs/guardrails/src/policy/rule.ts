import type { Resource, StackContext } from '../context.js';

export { isSame, StackContext, type Resource } from '../context.js';

/**
 * What a rule concluded about one resource. `unknown` means the rule could not read a value it
 * needs (an unparsable JSON string, a reference it cannot follow): it never counts as a pass.
 */
export type Status = 'pass' | 'fail' | 'unknown';

export interface Verdict {
  readonly status: Status;
  /** What was found, in words; it names attributes and variables, never a secret's value. */
  readonly message: string;
}

export const pass = (message: string): Verdict => ({ status: 'pass', message });
export const fail = (message: string): Verdict => ({ status: 'fail', message });
export const unknown = (message: string): Verdict => ({ status: 'unknown', message });

/** One verdict on one resource (or on the stack itself, address `provider.aws`). */
export interface Evaluation extends Verdict {
  readonly address: string;
  readonly constructPath?: string;
}

export interface Rule {
  /** The Checkov id the rule mirrors (`CKV_AWS_16`, `CKV2_AWS_69`), or `DOCFLOW_<NAME>` for docflow's own. */
  readonly id: string;
  readonly title: string;
  /** Only these environments (CKV_AWS_157 is a production rule). @default - every environment */
  readonly environments?: readonly string[];
  /** Every verdict of the rule on one stack; the stack's resources it does not apply to yield none. */
  evaluate(context: StackContext): Evaluation[];
}

/**
 * The common shape: one verdict per resource of the listed types. `check` returns undefined for a
 * resource the rule does not apply to (an EC2 service for a Fargate rule).
 */
export function resourceRule(spec: {
  readonly id: string;
  readonly title: string;
  readonly types: readonly string[];
  readonly environments?: readonly string[];
  readonly check: (resource: Resource, context: StackContext) => Verdict | undefined;
}): Rule {
  return {
    id: spec.id,
    title: spec.title,
    ...(spec.environments ? { environments: spec.environments } : {}),
    evaluate: (context) =>
      spec.types
        .flatMap((type) => context.resources(type))
        .flatMap((resource) => {
          const verdict = spec.check(resource, context);
          return verdict ? [evaluationOf(resource, verdict)] : [];
        }),
  };
}

export function evaluationOf(resource: Resource, verdict: Verdict): Evaluation {
  return { ...verdict, address: resource.address, ...(resource.constructPath ? { constructPath: resource.constructPath } : {}) };
}
