import type { StateReport } from './explorer.js';

/** The state report for a terminal: counts first, then resources by construct, types, outputs, drift. */
export function formatStateReport(report: StateReport): string {
  const managed = report.resources.filter((resource) => resource.mode === 'managed').length;
  const lines = [
    `${report.source}: ${managed} resources, ${report.outputs.length} outputs` +
      (report.drift ? `, ${report.drift.missingFromState.length + report.drift.notInConfiguration.length} addresses drifted` : ''),
    `  serial ${report.serial ?? '-'}   lineage ${report.lineage ?? '-'}   terraform ${report.terraformVersion ?? '-'}`,
    `  configuration ${report.configuration ?? `none found (looked for ${report.configurationSearched.join(', ') || 'none: the file name says no stack'}): no construct paths, no drift`}`,
    '',
    'Resources by construct',
  ];
  if (report.byConstruct.length === 0) lines.push('  (none)');
  for (const group of report.byConstruct) {
    lines.push(`  ${group.construct}`);
    for (const address of group.addresses) lines.push(`    ${address}`);
  }
  lines.push('', 'Resources by type');
  const types = Object.entries(report.byType);
  const width = Math.max(0, ...types.map(([type]) => type.length));
  if (types.length === 0) lines.push('  (none)');
  for (const [type, count] of types) lines.push(`  ${type.padEnd(width)}  ${count}`);
  lines.push('', 'Outputs');
  if (report.outputs.length === 0) lines.push('  (none)');
  const nameWidth = Math.max(0, ...report.outputs.map((output) => output.name.length));
  for (const output of report.outputs) {
    const note = output.sensitive ? '  (sensitive)' : output.masked ? '  (looks like a secret)' : '';
    lines.push(`  ${output.name.padEnd(nameWidth)}  ${typeof output.value === 'string' ? output.value : JSON.stringify(output.value)}${note}`);
  }
  if (report.drift) {
    lines.push('', 'Drift of addresses (configuration vs state)');
    if (report.drift.missingFromState.length + report.drift.notInConfiguration.length === 0) lines.push('  none');
    for (const address of report.drift.missingFromState) lines.push(`  + ${address}  (in the configuration, not in the state)`);
    for (const address of report.drift.notInConfiguration) lines.push(`  - ${address}  (in the state, not in the configuration)`);
  }
  return lines.join('\n');
}
