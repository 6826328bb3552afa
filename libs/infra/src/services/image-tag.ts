import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

/** Name of the Terraform variable that selects the image a service stack deploys. */
export const IMAGE_TAG_VARIABLE = 'image_tag';

/**
 * The `image_tag` variable of a service stack: required, so an apply never guesses which image to
 * run; the deploy pipeline passes the tag it pushed (`cdktf deploy <stack> --var image_tag=<sha>`).
 * A variable rather than a synth-time value keeps the synthesized JSON independent of the commit.
 */
export function imageTagVariable(scope: Construct): string {
  return new TerraformVariable(scope, IMAGE_TAG_VARIABLE, {
    type: 'string',
    nullable: false,
    description: 'Tag of the image to run (ECR tags are immutable), e.g. the git commit SHA',
    validation: [
      {
        condition: `\${can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.${IMAGE_TAG_VARIABLE}))}`,
        errorMessage: 'image_tag must be a Docker tag: letters, digits, _ . - (at most 128 characters).',
      },
    ],
  }).stringValue;
}
