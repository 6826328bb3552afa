import type { GetFilesResponse, Storage } from '@google-cloud/storage';
import type { ArchiveFile } from '../archive/format.js';
import { contentTypeOf } from './s3.js';
import { keyOf, parseBucketUrl, type ArchiveStore } from './store.js';

/**
 * Archives under a GCS prefix (`gs://bucket/prefix`), through @google-cloud/storage. Uploads are
 * resumable and checked by MD5 against what GCS computed; credentials come from the environment
 * (Application Default Credentials: the Cloud Run job's service account).
 */
export class GcsStore implements ArchiveStore {
  readonly bucketName: string;
  readonly prefix: string;

  constructor(
    readonly location: string,
    private readonly storage: Storage,
  ) {
    ({ bucket: this.bucketName, prefix: this.prefix } = parseBucketUrl(location, 'gs'));
  }

  private get bucket() {
    return this.storage.bucket(this.bucketName);
  }

  async listFolders(): Promise<string[]> {
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const folders: string[] = [];
    let pageToken: string | undefined;
    do {
      const [, next, response]: GetFilesResponse = await this.bucket.getFiles({
        prefix: base,
        delimiter: '/',
        autoPaginate: false,
        ...(pageToken !== undefined ? { pageToken } : {}),
      });
      for (const prefix of (response as { prefixes?: string[] } | undefined)?.prefixes ?? []) {
        folders.push(prefix.slice(base.length).replace(/\/$/, ''));
      }
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken !== undefined);
    return folders.sort();
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const [contents] = await this.bucket.file(this.keyOf(key)).download({ validation: 'md5' });
      return contents.toString('utf8');
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    await this.bucket.file(this.keyOf(key)).save(text, { resumable: true, validation: 'md5', contentType: contentTypeOf(key) });
  }

  async upload(localPath: string, key: string, _file: ArchiveFile): Promise<void> {
    await this.bucket.upload(localPath, {
      destination: this.keyOf(key),
      resumable: true,
      validation: 'md5',
      contentType: contentTypeOf(key),
    });
  }

  async download(key: string, localPath: string): Promise<void> {
    await this.bucket.file(this.keyOf(key)).download({ destination: localPath, validation: 'md5' });
  }

  async remove(key: string): Promise<void> {
    await this.bucket.file(this.keyOf(key)).delete({ ignoreNotFound: true });
  }

  async removeFolder(key: string): Promise<void> {
    await this.bucket.deleteFiles({ prefix: `${this.keyOf(key)}/`, force: true });
  }

  close(): void {
    // nothing to release: no client of its own
  }

  private keyOf(key: string): string {
    return keyOf(this.prefix, key);
  }
}
