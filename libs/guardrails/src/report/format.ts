/** Plain-text and markdown building blocks shared by the policy, cost and config-diff reports. */

export interface Style {
  /** Colour (ANSI) only when writing to a terminal. */
  readonly color: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(style: Style, tone: keyof typeof ANSI, text: string): string {
  return style.color ? `\u001b[${ANSI[tone]}m${text}\u001b[0m` : text;
}

/** Columns padded to their widest cell; `right` lists the columns aligned right (numbers). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (right.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A GitHub markdown table; cells are escaped (pipes, line breaks). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const separator = header.map((_, column) => (right.includes(column) ? '---:' : '---'));
  return [line(header.map(escape)), line(separator), ...rows.map((row) => line(row.map(escape)))].join('\n');
}

/** Inline code in markdown that survives backticks inside. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** `1 stack` / `2 stacks`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
