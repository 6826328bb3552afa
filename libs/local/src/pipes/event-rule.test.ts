import { HAND_BACK_MARKER, handBackPrefix, handedBack, taskStoppedRules } from '@docflow/contracts';
import { describe, expect, it } from 'vitest';
import { applyInputTransformer, evaluateRule, matchesEventPattern } from './event-rule.js';
import { LOCAL_PIPE_TASKS, taskStoppedEvent } from './task-stopped.js';

const body = '{"v":1,"documentId":"d"}';

/** An ECS Task State Change event as AWS documents it, shaped for one pipe task. */
function stopped(container: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    detail: {
      clusterArn: LOCAL_PIPE_TASKS.clusterArn,
      group: LOCAL_PIPE_TASKS.group,
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      overrides: { containerOverrides: [{ name: 'worker', environment: [{ name: 'SQS_BODY', value: body }] }] },
      containers: [{ name: 'worker', lastStatus: 'STOPPED', ...container }],
      ...overrides,
    },
  };
}

describe('EventBridge patterns, as far as docflow uses them', () => {
  it('matches values, prefix, anything-but (values and prefix), exists and $or, through arrays', () => {
    const event = stopped({ exitCode: 137 });
    expect(matchesEventPattern({ source: ['aws.ecs'], detail: { lastStatus: ['RUNNING', 'STOPPED'] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { lastStatus: ['RUNNING'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { stoppedReason: [{ prefix: 'CannotPull' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { containers: { exitCode: [{ 'anything-but': [0, 10] }] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { containers: { exitCode: [{ 'anything-but': [137] }] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { containers: { exitCode: [{ exists: false }] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { containers: { exitCode: [{ exists: false }] } } }, stopped({}))).toBe(true);
    // anything-but needs the field: a container that never ran has no exit code
    expect(matchesEventPattern({ detail: { containers: { exitCode: [{ 'anything-but': [0] }] } } }, stopped({}))).toBe(false);
    const value = (matcher: unknown) => ({ detail: { overrides: { containerOverrides: { environment: { value: [matcher] } } } } });
    expect(matchesEventPattern(value({ 'anything-but': { prefix: HAND_BACK_MARKER } }), event)).toBe(true);
    expect(matchesEventPattern(value({ prefix: HAND_BACK_MARKER }), event)).toBe(false);
    const either = { detail: { $or: [{ stopCode: ['SpotInterruption'] }, { containers: { exitCode: [137] } }] } };
    expect(matchesEventPattern(either, event)).toBe(true);
    expect(matchesEventPattern(either, stopped({ exitCode: 1 }))).toBe(false);
  });

  it('refuses what it does not emulate, instead of guessing', () => {
    expect(() => matchesEventPattern({ detail: { lastStatus: [{ suffix: 'ED' }] } }, stopped({}))).toThrow(
      'the local emulation does not know the pattern operator "suffix"',
    );
    expect(() => applyInputTransformer({ inputPaths: { b: '$.detail' }, inputTemplate: '{"b": <b>}' }, stopped({}))).toThrow(/JSON object templates/);
  });

  it('fills a string template unescaped, keeping its quotes, from paths with array indices; a missing path fills nothing', () => {
    const event = stopped({ exitCode: 1 });
    const template = { inputPaths: { body: '$.detail.overrides.containerOverrides[0].environment[0].value', gone: '$.detail.nope[3].x' }, inputTemplate: '"x<body><gone>"' };
    expect(applyInputTransformer(template, event)).toBe(`"x${body}"`);
  });
});

describe('the task-stopped rules against ECS events', () => {
  const rules = taskStoppedRules({ ...LOCAL_PIPE_TASKS, handBackLimit: 3 });
  const outcome = (event: unknown) => ({ back: evaluateRule(rules.handBack, event), dead: evaluateRule(rules.deadLetter, event) });

  it('hands back a task that failed to start (no exit code) or whose worker exited without an outcome', () => {
    expect(outcome(stopped({}))).toEqual({ back: handedBack(body), dead: undefined });
    expect(outcome(stopped({ exitCode: 137 }, { stopCode: 'SpotInterruption' }))).toEqual({ back: handedBack(body), dead: undefined });
    expect(outcome(stopped({ exitCode: 1 }, { stopCode: 'EssentialContainerExited' })).back).toBeDefined();
  });

  it('leaves alone a task that finished (0) or handed its message back itself (10), and tasks of other groups or clusters', () => {
    expect(outcome(stopped({ exitCode: 0 }))).toEqual({ back: undefined, dead: undefined });
    expect(outcome(stopped({ exitCode: 10 }))).toEqual({ back: undefined, dead: undefined });
    expect(outcome(stopped({ exitCode: 1 }, { group: 'service:docflow-dev-api' }))).toEqual({ back: undefined, dead: undefined });
    expect(outcome(stopped({ exitCode: 1 }, { clusterArn: 'arn:aws:ecs:local:000000000000:cluster/other' }))).toEqual({ back: undefined, dead: undefined });
    expect(outcome(stopped({ exitCode: 1 }, { lastStatus: 'RUNNING' }))).toEqual({ back: undefined, dead: undefined });
  });

  it('dead-letters, instead, a body already handed back limit - 1 times', () => {
    const twice = handedBack(handedBack(body));
    expect(twice.startsWith(handBackPrefix(2))).toBe(true);
    const event = taskStoppedEvent({ taskId: 1, body: twice, exitCode: null, signal: 'SIGKILL' });
    expect(outcome(event)).toEqual({ back: undefined, dead: handedBack(twice) });
    const once = taskStoppedEvent({ taskId: 2, body: handedBack(body), exitCode: null, signal: 'SIGKILL' });
    expect(outcome(once)).toEqual({ back: twice, dead: undefined });
  });
});
