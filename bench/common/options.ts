export interface NumberOptionRules {
  /**
   * Whether the value must be a whole number (counts: rounds, connections, documents).
   * @default false
   */
  readonly integer?: boolean;
  /**
   * The smallest value accepted.
   * @default 1
   */
  readonly min?: number;
}

/**
 * A numeric command-line option (parseArgs hands over strings), checked so that a typo such as
 * `--rounds three` stops the run with a message naming the option instead of measuring NaN.
 */
export function numberOption(name: string, value: string | undefined, rules: NumberOptionRules = {}): number {
  const integer = rules.integer ?? false;
  const min = rules.min ?? 1;
  const number = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(number) || number < min || (integer && !Number.isInteger(number))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return number;
}
