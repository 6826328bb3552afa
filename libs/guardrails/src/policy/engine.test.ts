import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appFromStacks, loadSynthesizedApp, selectEnvironments } from '../synthesized.js';
import type { TerraformJson } from '../terraform-json.js';
import { evaluatePolicy } from './engine.js';
import { RULES } from './rules/index.js';
import type { Waiver } from './waivers.js';

/** A data stack of `env` (profile from the table below) whose database is public and not Multi-AZ. */
function dataStack(env: string, profile: string): TerraformJson {
  return {
    provider: { aws: [{ default_tags: [{ tags: { project: 'docflow', env, stack: 'data', profile } }] }] },
    resource: { aws_db_instance: { Db: { '//': { metadata: { path: `${env}-data/Data/Db` } }, publicly_accessible: true, storage_encrypted: true, multi_az: false } } },
  };
}
const app = appFromStacks({ 'dev-data': dataStack('dev', 'lean'), 'prod-data': dataStack('prod', 'standard') });
const rules = RULES.filter((rule) => ['CKV_AWS_17', 'CKV_AWS_157'].includes(rule.id));
const TODAY = '2026-11-30';

describe('evaluatePolicy', () => {
  it('GIVEN a public database THEN the finding names rule, environment, stack, address and construct path', () => {
    const report = evaluatePolicy(app, { rules, waivers: [], today: TODAY });
    expect(report.blocking.filter((finding) => finding.rule === 'CKV_AWS_17')).toEqual([
      expect.objectContaining({ rule: 'CKV_AWS_17', env: 'dev', stack: 'data', stackId: 'dev-data', address: 'aws_db_instance.Db', constructPath: 'dev-data/Data/Db', outcome: 'fail' }),
      expect.objectContaining({ rule: 'CKV_AWS_17', env: 'prod', stack: 'data', stackId: 'prod-data', outcome: 'fail' }),
    ]);
  });

  it('GIVEN a production-only rule THEN it judges prod and not dev', () => {
    const report = evaluatePolicy(app, { rules, waivers: [], today: TODAY });
    expect(report.findings.filter((finding) => finding.rule === 'CKV_AWS_157').map((finding) => finding.env)).toEqual(['prod']);
    expect(report.rules.find((rule) => rule.id === 'CKV_AWS_157')).toMatchObject({ evaluated: 1, failed: 1 });
  });

  it('GIVEN a waiver for the lean profile THEN dev is waived, prod still fails, and the report lists the waiver with what it covers', () => {
    const waiver: Waiver = { rule: 'CKV_AWS_17', profiles: ['lean'], stacks: ['data'], reason: 'lean reasons', until: { issue: 7 } };
    const report = evaluatePolicy(app, { rules, waivers: [waiver], today: TODAY });
    expect(report.findings.filter((finding) => finding.rule === 'CKV_AWS_17').map((finding) => [finding.env, finding.outcome, finding.waiver])).toEqual([
      ['dev', 'waived', 0],
      ['prod', 'fail', undefined],
    ]);
    expect(report.waivers).toEqual([{ waiver, covers: 1, expired: false, stale: false }]);
    expect(report.blocking.map((finding) => `${finding.rule} ${finding.env}`)).toEqual(['CKV_AWS_17 prod', 'CKV_AWS_157 prod']);
  });

  it('GIVEN a waiver past its date THEN it waives nothing and says it expired', () => {
    const waiver: Waiver = { rule: 'CKV_AWS_17', environments: ['dev'], reason: 'r', until: { date: '2026-11-29' } };
    const report = evaluatePolicy(app, { rules, waivers: [waiver], today: TODAY });
    expect(report.waivers[0]).toMatchObject({ covers: 0, expired: true, stale: false });
    expect(report.blocking.some((finding) => finding.env === 'dev' && finding.rule === 'CKV_AWS_17')).toBe(true);
    // on its last day it still holds
    expect(evaluatePolicy(app, { rules, waivers: [waiver], today: '2026-11-29' }).waivers[0]).toMatchObject({ covers: 1, expired: false });
  });

  it('GIVEN a waiver that covers nothing in environments that were evaluated THEN it is stale (the fix landed); for an environment not evaluated it is not', () => {
    const fixed: Waiver = { rule: 'CKV_AWS_157', environments: ['dev', 'prod'], stacks: ['network'], reason: 'r', until: { issue: 7 } };
    const elsewhere: Waiver = { rule: 'CKV_AWS_17', environments: ['staging'], reason: 'r', until: { issue: 7 } };
    const report = evaluatePolicy(app, { rules, waivers: [fixed, elsewhere], today: TODAY });
    expect(report.waivers.map(({ stale }) => stale)).toEqual([true, false]);
  });

  it('GIVEN a waiver that is not explicit THEN it refuses all of them at once, naming each problem', () => {
    const waivers = [
      { rule: 'CKV_AWS_999', environments: ['dev'], reason: 'r', until: { issue: 7 } },
      { rule: 'CKV_AWS_17', reason: ' ', until: { date: '31/12/2026' } },
    ] as Waiver[];
    expect(() => evaluatePolicy(app, { rules, waivers, today: TODAY })).toThrow(
      'invalid waivers: waiver 1 (CKV_AWS_999): no rule has the id CKV_AWS_999; waiver 2 (CKV_AWS_17): name the environments or profiles it covers; waiver 2 (CKV_AWS_17): give a reason; waiver 2 (CKV_AWS_17): until.date must be YYYY-MM-DD, got "31/12/2026"',
    );
  });
});

describe('loadSynthesizedApp and selectEnvironments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrails-app-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a cdktf.out folder THEN it reads the stacks its manifest lists, with environment and stack from the default tags', () => {
    mkdirSync(join(dir, 'stacks', 'prod-data'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: { 'prod-data': { synthesizedStackPath: 'stacks/prod-data/cdk.tf.json' } } }));
    writeFileSync(join(dir, 'stacks', 'prod-data', 'cdk.tf.json'), JSON.stringify(dataStack('prod', 'standard')));
    const loaded = loadSynthesizedApp(dir);
    expect(loaded.stacks.map(({ id, env, name, profile }) => ({ id, env, name, profile }))).toEqual([{ id: 'prod-data', env: 'prod', name: 'data', profile: 'standard' }]);
  });

  it('GIVEN a folder without a manifest, or an unknown environment THEN one clear message', () => {
    expect(() => loadSynthesizedApp(join(dir, 'nothing'))).toThrow(/no synthesized stacks in .*nothing \(no manifest.json\): run `npm run synth` first, or pass --dir/);
    expect(() => selectEnvironments(app, ['qa'])).toThrow('unknown environment "qa": the synthesized app has dev, prod');
    expect(selectEnvironments(app, ['prod']).stacks.map((stack) => stack.id)).toEqual(['prod-data']);
  });
});
