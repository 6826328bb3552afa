import type { Finding, PolicyReport } from '../policy/engine.js';
import { waiverEnd, type Waiver } from '../policy/waivers.js';
import { code, markdownTable, paint, plural, textTable, type Style } from './format.js';

const scopeOf = (waiver: Waiver) =>
  [
    ...(waiver.environments ?? []),
    ...(waiver.profiles ?? []).map((profile) => `${profile} (profile)`),
  ].join(', ') + (waiver.stacks ? ` / ${waiver.stacks.join(', ')}` : '');

const statusOf = (status: PolicyReport['waivers'][number]) => (status.expired ? 'EXPIRED' : status.stale ? 'STALE' : `covers ${status.covers}`);

function headline(report: PolicyReport): string {
  const { summary } = report;
  return `${plural(summary.rules, 'rule')} over ${plural(summary.stacks, 'stack')} of ${report.environments.join(', ') || 'no environment'}: ${summary.verdicts} verdicts, ${summary.passed} passed, ${summary.waived} waived, ${summary.failed} failed, ${summary.unknown} unknown`;
}

/** The report for a terminal: counts first, then what blocks, then every waiver. */
export function policyText(report: PolicyReport, style: Style): string {
  const lines = [`docflow policy: ${headline(report)}`];
  if (report.blocking.length > 0) {
    lines.push('', paint(style, 'red', `BLOCKING (${report.blocking.length}): fix them, or waive one with a reason and an end in libs/guardrails/src/policy/docflow-waivers.ts`));
    for (const finding of report.blocking) {
      lines.push(`  ${paint(style, 'bold', finding.outcome.toUpperCase())} ${finding.rule}  ${finding.env} / ${finding.stack}  ${finding.address}${finding.constructPath ? `  (${finding.constructPath})` : ''}`);
      lines.push(`      ${finding.message}`);
    }
  } else {
    lines.push('', paint(style, 'green', 'nothing blocks: every verdict passed or is waived'));
  }
  lines.push('', `WAIVERS (${report.waivers.length}; ${report.summary.staleWaivers} stale, ${report.summary.expiredWaivers} expired)`);
  if (report.waivers.length > 0) {
    lines.push(
      textTable(
        ['rule', 'where', 'until', 'status', 'reason'],
        report.waivers.map((status) => [status.waiver.rule, scopeOf(status.waiver), waiverEnd(status.waiver), statusOf(status), status.waiver.reason]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  return lines.join('\n');
}

const findingRow = (finding: Finding) => [finding.outcome, finding.rule, finding.env, finding.stack, code(finding.address), finding.message];

/** The one line that sums the policy up (the top of the pull-request comment). */
export function policyHeadline(report: PolicyReport): string {
  return report.blocking.length === 0 ? '✅ nothing blocks' : `❌ ${plural(report.blocking.length, 'blocking finding')}`;
}

/**
 * The policy section of the pull-request comment (the comment gives it its heading): the headline
 * in bold, the counts, what blocks, and every waiver folded.
 */
export function policyMarkdown(report: PolicyReport): string {
  const ok = report.blocking.length === 0;
  const lines = [`**${policyHeadline(report)}**: ${headline(report)}.`];
  if (!ok) lines.push('', markdownTable(['', 'rule', 'env', 'stack', 'resource', 'problem'], report.blocking.map(findingRow)));
  if (report.waivers.length > 0) {
    lines.push(
      '',
      `<details><summary>${plural(report.waivers.length, 'waiver')} (${report.summary.waived} verdicts waived; ${report.summary.staleWaivers} stale, ${report.summary.expiredWaivers} expired)</summary>`,
      '',
      markdownTable(
        ['rule', 'where', 'until', 'status', 'reason'],
        report.waivers.map((status) => [status.waiver.rule, scopeOf(status.waiver), waiverEnd(status.waiver), statusOf(status), status.waiver.reason]),
      ),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}
