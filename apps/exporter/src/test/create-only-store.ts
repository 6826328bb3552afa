import type { ArchiveFile } from '../archive/format.js';
import type { LocalStore } from '../storage/local.js';
import type { ArchiveStore } from '../storage/store.js';

/**
 * A destination as the Cloud Run job sees its archive bucket: it may create objects and nothing
 * else (roles/storage.objectCreator, and a retention policy that refuses overwrites). Listing,
 * reading, deleting and writing a key twice throw, so a test proves the export never tries.
 * `failUpload` makes the next upload of a key fail once (an interruption between two files).
 */
export class CreateOnlyStore implements ArchiveStore {
  readonly written: string[] = [];
  private readonly failing = new Set<string>();

  constructor(private readonly inner: LocalStore) {}

  get location(): string {
    return this.inner.location;
  }

  failUpload(suffix: string): void {
    this.failing.add(suffix);
  }

  private create(key: string): void {
    if (this.written.includes(key)) throw new Error(`create-only destination: ${key} exists (overwriting needs delete permission)`);
    const failing = [...this.failing].find((suffix) => key.endsWith(suffix));
    if (failing !== undefined) {
      this.failing.delete(failing);
      throw new Error(`create-only destination: upload of ${key} failed (injected)`);
    }
    this.written.push(key);
  }

  listFolders(): Promise<string[]> {
    return Promise.reject(new Error('create-only destination: listing is not allowed'));
  }

  readText(key: string): Promise<string | undefined> {
    return Promise.reject(new Error(`create-only destination: reading ${key} is not allowed`));
  }

  async writeText(key: string, text: string): Promise<void> {
    this.create(key);
    await this.inner.writeText(key, text);
  }

  async upload(localPath: string, key: string, _file: ArchiveFile): Promise<void> {
    this.create(key);
    await this.inner.upload(localPath, key);
  }

  download(key: string): Promise<void> {
    return Promise.reject(new Error(`create-only destination: reading ${key} is not allowed`));
  }

  remove(key: string): Promise<void> {
    return Promise.reject(new Error(`create-only destination: deleting ${key} is not allowed`));
  }

  removeFolder(key: string): Promise<void> {
    return Promise.reject(new Error(`create-only destination: deleting ${key}/ is not allowed`));
  }

  close(): void {
    this.inner.close();
  }
}
