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

/** `s3://bucket/prefix` or `gs://bucket/prefix`: the bucket and the prefix without slashes at its ends. */
export function parseBucketUrl(url: string, scheme: 's3' | 'gs'): { bucket: string; prefix: string } {
  const match = new RegExp(`^${scheme}://([^/]+)/?(.*)$`).exec(url);
  if (match === null || match[1] === undefined) throw new LocationError(`${url}: expected ${scheme}://<bucket>[/<prefix>]`);
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
