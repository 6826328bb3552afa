import { Construct } from 'constructs';
import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget/index.js';

/** The cost-allocation tag every docflow resource carries (the provider's default tags) and budgets filter on. */
export const COST_ALLOCATION_TAG = 'env';

/**
 * AWS Budgets' filter value for a user-defined cost-allocation tag: `user:<key>$<value>` (provider
 * docs of aws_budgets_budget, "Create a cost filter using resource tags"). The `$` is literal; only
 * `${` would be a Terraform interpolation, which a tag value may therefore not contain.
 */
export function tagKeyValue(key: string, value: string): string {
  if (value.includes('${') || key.includes('${')) throw new Error(`tagKeyValue: "${key}" = "${value}" would be read as a Terraform interpolation`);
  return `user:${key}$${value}`;
}

export interface MonthlyBudgetProps {
  readonly budgetName: string;
  readonly limitUsd: number;
  readonly email: string;
  /** Counts only the costs of resources carrying this cost-allocation tag value (`env`). @default - the whole account */
  readonly envTag?: string;
  /** Percentages of the limit that send an email (actual spend). @default [50, 80, 100] */
  readonly thresholdsPercent?: readonly number[];
}

/**
 * A monthly cost budget with an email at each threshold of actual spend and one when the forecast
 * passes 100 %. With `envTag` it counts the environment's own resources only (the `env`
 * cost-allocation tag, activated by the foundation); the emails go straight to the alarm address
 * (Budgets publishing to the alarm topic would need the topic's key policy to admit it in prod).
 */
export class MonthlyBudget extends Construct {
  readonly budget: BudgetsBudget;

  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    const thresholdsPercent = props.thresholdsPercent ?? [50, 80, 100];
    if (!(props.limitUsd > 0)) throw new Error(`MonthlyBudget: limitUsd must be positive, got ${props.limitUsd}`);
    const notify = (threshold: number, notificationType: 'ACTUAL' | 'FORECASTED') => ({
      comparisonOperator: 'GREATER_THAN',
      notificationType,
      threshold,
      thresholdType: 'PERCENTAGE',
      subscriberEmailAddresses: [props.email],
    });
    this.budget = new BudgetsBudget(this, 'Budget', {
      name: props.budgetName,
      budgetType: 'COST',
      limitAmount: props.limitUsd.toFixed(2),
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
      ...(props.envTag !== undefined ? { costFilter: [{ name: 'TagKeyValue', values: [tagKeyValue(COST_ALLOCATION_TAG, props.envTag)] }] } : {}),
      notification: [...thresholdsPercent.map((threshold) => notify(threshold, 'ACTUAL')), notify(100, 'FORECASTED')],
    });
  }
}
