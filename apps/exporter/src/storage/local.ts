import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArchiveStore } from './store.js';

/** Archives in a folder on this machine. Files appear whole: written beside, then renamed. */
export class LocalStore implements ArchiveStore {
  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  /** Where a key is on disk (restore reads local archives in place). */
  localPath(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async listFolders(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.localPath(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    await this.place(key, (temporary) => writeFile(temporary, text));
  }

  async upload(localPath: string, key: string): Promise<void> {
    await this.place(key, (temporary) => copyFile(localPath, temporary));
  }

  async download(key: string, localPath: string): Promise<void> {
    await copyFile(this.localPath(key), localPath);
  }

  async remove(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  async removeFolder(key: string): Promise<void> {
    await rm(this.localPath(key), { recursive: true, force: true });
  }

  close(): void {
    // nothing to release: no client of its own
  }

  private async place(key: string, write: (temporary: string) => Promise<void>): Promise<void> {
    const target = this.localPath(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.partial`;
    await write(temporary);
    await rename(temporary, target);
  }
}
