import type { ArchiveFile } from '../archive/format.js';

/**
 * Where archives live: a local folder, an S3 prefix or a GCS prefix, behind one small interface.
 * Keys are relative to the root the user named (`<archive>/manifest.json`).
 */
export interface ArchiveStore {
  /** The root as the user named it (a path, s3://bucket/prefix, gs://bucket/prefix). */
  readonly location: string;
  /** The folders directly under the root (archive names), sorted. */
  listFolders(): Promise<string[]>;
  /** A small file's text, or undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
  writeText(key: string, text: string): Promise<void>;
  /** Copies a local file to `key`; `file` (its digest and size) lets the store verify the upload. */
  upload(localPath: string, key: string, file: ArchiveFile): Promise<void>;
  /** Copies `key` to a local file; throws when it does not exist. */
  download(key: string, localPath: string): Promise<void>;
  /** Removes one file (nothing when it does not exist). */
  remove(key: string): Promise<void>;
  /** Removes a folder and everything in it. */
  removeFolder(key: string): Promise<void>;
  /** Where a key is on this machine, for stores that are local folders (read in place, not copied). */
  localPath?(key: string): string;
  /** Releases clients (sockets). */
  close(): void;
}

/** Joins key segments, skipping empty ones (the root itself has the empty name). */
export function keyOf(...segments: string[]): string {
  return segments.filter((segment) => segment.length > 0).join('/');
}

/** A `--to` / `--from` value that names no usable place. */
export class LocationError extends Error {
  override readonly name = 'LocationError';
}

/** What the exporter accepts as a `--to` / `--work` / `--from` value, in every message refusing one. */
const ACCEPTED = 'use s3://<bucket>[/<prefix>], gs://<bucket>[/<prefix>] or a folder (./<name> when its name holds a colon)';

/** A URL scheme at the start of a value (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`), and the rest. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/*(.*)$/s;

/**
 * Which store a `--to` / `--work` / `--from` value names: exactly `s3://` or `gs://` (with a bucket),
 * or a folder. Anything else that starts like a URL (`ftp://`, `S3://`, `gs:/bucket`, `http://`,
 * `file://`) is refused: as a folder name it would quietly write the archive to a local folder
 * called `S3:` and report success. `name` is how the message names the value (the option).
 */
export function locationKind(location: string, name = JSON.stringify(location)): 's3' | 'gs' | 'folder' {
  if (location === '') throw new LocationError(`${name}: is empty; ${ACCEPTED}`);
  if (location.trim() !== location) throw new LocationError(`${name}: starts or ends with a space; ${ACCEPTED}`);
  const match = SCHEME.exec(location);
  if (match === null) return 'folder';
  const [, scheme = '', rest = ''] = match;
  const lower = scheme.toLowerCase();
  if (lower !== 's3' && lower !== 'gs') throw new LocationError(`${name}: unknown scheme "${scheme}:"; ${ACCEPTED}`);
  if (scheme !== lower || !location.startsWith(`${lower}://`) || location.startsWith(`${lower}:///`)) {
    throw new LocationError(`${name}: write the scheme as ${lower}:// exactly (${lower}://${rest}); ${ACCEPTED}`);
  }
  try {
    parseBucketUrl(location, lower);
  } catch {
    throw new LocationError(`${name}: names no bucket; ${ACCEPTED}`);
  }
  return lower;
}

/** `s3://bucket/prefix` or `gs://bucket/prefix`: the bucket and the prefix without slashes at its ends. */
export function parseBucketUrl(url: string, scheme: 's3' | 'gs'): { bucket: string; prefix: string } {
  const match = new RegExp(`^${scheme}://([^/]+)/?(.*)$`).exec(url);
  if (match === null || match[1] === undefined) throw new LocationError(`${url}: expected ${scheme}://<bucket>[/<prefix>]`);
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
