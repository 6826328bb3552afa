import { blocks, flag, numberOf } from '../../values.js';
import { fail, pass, resourceRule, type Resource, type Rule, type Verdict } from '../rule.js';

/**
 * The cross-field rules EventBridge Scheduler enforces when a schedule is created, which Terraform
 * cannot see at plan: the rate expression's unit agrees with its value, a flexible window has a
 * width and an off one has none, an ECS target on Fargate has a network, and the retry policy stays
 * within its bounds.
 */
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const FLEXIBLE_WINDOW_MINUTES = { min: 1, max: 1440 };
const EVENT_AGE_SECONDS = { min: 60, max: 86_400 };
const RETRY_ATTEMPTS = { min: 0, max: 185 };

function expressionProblem(expression: unknown): string | undefined {
  const text = String(expression ?? '');
  if (text.startsWith('cron(') || text.startsWith('at(')) return undefined;
  const rate = RATE.exec(text);
  if (rate === null) return `schedule_expression "${text}" is not rate(<n> <unit>), cron(...) or at(...)`;
  const value = Number(rate[1]);
  const plural = (rate[2] ?? '').endsWith('s');
  if (value < 1) return `schedule_expression "${text}" must count at least 1`;
  if (value === 1 && plural) return `schedule_expression "${text}" must use the singular unit for 1 (rate(1 ${rate[2]?.slice(0, -1)}))`;
  if (value > 1 && !plural) return `schedule_expression "${text}" must use the plural unit above 1`;
  return undefined;
}

const within = (value: number | undefined, range: { min: number; max: number }) => value === undefined || (Number.isInteger(value) && value >= range.min && value <= range.max);

function scheduleVerdict(schedule: Resource): Verdict {
  const problems: string[] = [];
  const expression = expressionProblem(schedule.block['schedule_expression']);
  if (expression !== undefined) problems.push(expression);
  const window = blocks(schedule.block['flexible_time_window'])[0];
  const width = numberOf(window?.['maximum_window_in_minutes']);
  if (window?.['mode'] === 'FLEXIBLE' && (width === undefined || !within(width, FLEXIBLE_WINDOW_MINUTES))) {
    problems.push(`a FLEXIBLE time window needs maximum_window_in_minutes from ${FLEXIBLE_WINDOW_MINUTES.min} to ${FLEXIBLE_WINDOW_MINUTES.max}`);
  }
  if (window?.['mode'] === 'OFF' && width !== undefined) problems.push('an OFF time window takes no maximum_window_in_minutes');
  for (const target of blocks(schedule.block['target'])) {
    for (const ecs of blocks(target['ecs_parameters'])) {
      const network = blocks(ecs['network_configuration'])[0];
      if (ecs['launch_type'] === 'FARGATE' && network?.['subnets'] === undefined) {
        problems.push('an ECS target on FARGATE needs network_configuration with subnets (awsvpc)');
      }
      if (network !== undefined && flag(network['assign_public_ip']) === 'true' && ecs['launch_type'] !== 'FARGATE') problems.push('assign_public_ip works only with launch_type FARGATE');
    }
    for (const retry of blocks(target['retry_policy'])) {
      if (!within(numberOf(retry['maximum_event_age_in_seconds']), EVENT_AGE_SECONDS)) problems.push(`retry_policy.maximum_event_age_in_seconds must be ${EVENT_AGE_SECONDS.min} to ${EVENT_AGE_SECONDS.max}`);
      if (!within(numberOf(retry['maximum_retry_attempts']), RETRY_ATTEMPTS)) problems.push(`retry_policy.maximum_retry_attempts must be ${RETRY_ATTEMPTS.min} to ${RETRY_ATTEMPTS.max}`);
    }
  }
  return problems.length === 0 ? pass('expression, window, network and retries as EventBridge Scheduler accepts them') : fail(problems.join('; '));
}

export const scheduleRules: readonly Rule[] = [
  resourceRule({ id: 'DOCFLOW_SCHEDULE', title: 'EventBridge Scheduler schedules satisfy the rules Scheduler enforces at apply', types: ['aws_scheduler_schedule'], check: (schedule) => scheduleVerdict(schedule) }),
];
