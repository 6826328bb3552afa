import { tmpdir } from 'node:os';

/** Keys whose values change with the cdktf release rather than with docflow. */
const VERSION_KEYS = new Set(['cdktfVersion', 'cdktf_version']);

/**
 * A copy of synthesized JSON with what differs between machines replaced by placeholders, for
 * regression snapshots: absolute paths under the working or temp directory, and cdktf's version.
 * (`Testing.synth` already drops the `//` metadata with stack traces.)
 */
export function blankVolatile<T>(json: T, cwd: string = process.cwd()): T {
  const roots = [cwd, tmpdir()].filter((root) => root.length > 1);
  const visit = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (key !== undefined && VERSION_KEYS.has(key)) return '<version>';
      return roots.reduce((text, root) => text.split(root).join('<path>'), value);
    }
    if (Array.isArray(value)) return value.map((item) => visit(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([entryKey, entry]) => [entryKey, visit(entry, entryKey)]));
    }
    return value;
  };
  return visit(json) as T;
}
