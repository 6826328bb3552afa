import { Construct } from 'constructs';
import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget/index.js';

export interface MonthlyBudgetProps {
  readonly budgetName: string;
  readonly limitUsd: number;
  readonly email: string;
  /** Percentages of the limit that send an email (actual spend). @default [50, 80, 100] */
  readonly thresholdsPercent?: readonly number[];
}

/**
 * A monthly cost budget for the account, with an email at each threshold of actual spend and one
 * when the forecast passes 100 %. docflow expects one account per environment (see
 * docs/infrastructure.md); in a shared account the budget covers everything in it.
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
      notification: [...thresholdsPercent.map((threshold) => notify(threshold, 'ACTUAL')), notify(100, 'FORECASTED')],
    });
  }
}
