import { isAbsolute, resolve } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { createS3Client } from '@docflow/blobs';
import type { ExporterConfig } from '@docflow/config';
import { GcsStore } from './gcs.js';
import { LocalStore } from './local.js';
import { S3Store } from './s3.js';
import { LocationError, locationKind, type ArchiveStore } from './store.js';

/**
 * The store a `--to` / `--from` value names: `s3://bucket/prefix`, `gs://bucket/prefix`, or a
 * folder; any other scheme is refused (`locationKind`). A relative folder is the caller's: `npm run`
 * changes into the workspace root and says where it came from in INIT_CWD.
 */
export async function openStore(location: string, config: Pick<ExporterConfig, 'aws' | 'gcs' | 'isLocal'>, cwd = process.env['INIT_CWD'] ?? process.cwd()): Promise<ArchiveStore> {
  const kind = locationKind(location);
  if (kind === 's3') {
    if (config.aws.region === '') throw new LocationError(`${location}: set AWS_REGION (and AWS credentials) to use S3 outside local mode`);
    const store = new S3Store(location, createS3Client(config.aws, { socketTimeoutMs: 120_000 }));
    if (config.isLocal) await store.createBucketIfMissing();
    return store;
  }
  if (kind === 'gs') {
    const storage = new Storage({
      ...(config.gcs.projectId !== undefined ? { projectId: config.gcs.projectId } : {}),
      ...(config.gcs.endpoint !== undefined ? { apiEndpoint: config.gcs.endpoint } : {}),
    });
    return new GcsStore(location, storage);
  }
  return new LocalStore(isAbsolute(location) ? location : resolve(cwd, location));
}
