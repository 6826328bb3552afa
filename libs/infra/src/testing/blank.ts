/** Keys whose values change with the cdktf release rather than with docflow. */
const VERSION_KEYS = new Set(['cdktfVersion', 'cdktf_version']);

/**
 * A copy of synthesized JSON with what differs between machines replaced by placeholders, for
 * regression snapshots: the given absolute directories (the working directory, a synth outdir) and
 * cdktf's version. Only whole directory paths are replaced, so `/tmp` inside a container definition
 * stays as it is.
 */
export function blankVolatile<T>(json: T, directories: readonly string[] = [process.cwd()]): T {
  const roots = directories.filter((root) => root.split('/').filter(Boolean).length >= 2);
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

/** A copy without cdktf's `//` metadata entries (construct paths, stack metadata): noise in a snapshot. */
export function withoutMetadata<T>(json: T): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '//').map(([key, entry]) => [key, visit(entry)]));
    }
    return value;
  };
  return visit(json) as T;
}
