import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFile } from '../archive/jsonl.js';
import { startGcsStandIn, type GcsStandIn } from '../test/gcs-stand-in.js';
import { openStore } from './open.js';
import type { ArchiveStore } from './store.js';

let scratch: string;
let emulator: TestEmulator;
let gcs: GcsStandIn;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'docflow-stores-'));
  [emulator, gcs] = await Promise.all([startTestEmulator(), startGcsStandIn(['docflow-archive'])]);
});

afterAll(async () => {
  await Promise.all([emulator?.stop(), gcs?.close()]);
  await rm(scratch, { recursive: true, force: true });
});

const config = () => ({
  isLocal: true,
  aws: emulator.aws,
  gcs: { projectId: 'docflow-test', endpoint: gcs.endpoint },
});

/** The same promises, kept by every kind of store. */
function behavesAsAStore(open: () => Promise<ArchiveStore>) {
  it('writes and reads text, answers undefined for a missing file, and lists archive folders only', async () => {
    const store = await open();
    try {
      expect(await store.readText('docflow-a/manifest.json')).toBeUndefined();
      expect(await store.listFolders()).toEqual([]);
      await store.writeText('docflow-b/manifest.json', '{"b":1}');
      await store.writeText('docflow-a/parts/part-1.json', 'part');
      await store.writeText('docflow-a/state.json', 'é 😀');
      expect(await store.readText('docflow-a/state.json')).toBe('é 😀');
      expect(await store.listFolders()).toEqual(['docflow-a', 'docflow-b']);
    } finally {
      store.close();
    }
  });

  it('uploads and downloads a file byte for byte, and removes a file and a folder', async () => {
    const store = await open();
    try {
      const source = join(scratch, `source-${Date.now()}.bin`);
      const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
      await writeFile(source, data);
      await store.upload(source, 'docflow-c/documents.jsonl.gz', await digestFile(source));
      const copy = join(scratch, `copy-${Date.now()}.bin`);
      await store.download('docflow-c/documents.jsonl.gz', copy);
      expect((await readFile(copy)).equals(data)).toBe(true);

      await store.remove('docflow-a/state.json');
      expect(await store.readText('docflow-a/state.json')).toBeUndefined();
      await store.removeFolder('docflow-a/parts');
      expect(await store.readText('docflow-a/parts/part-1.json')).toBeUndefined();
      await expect(store.download('docflow-c/missing', join(scratch, 'missing'))).rejects.toThrow();
    } finally {
      store.close();
    }
  });
}

describe('a local folder', () => {
  behavesAsAStore(() => openStore(join(scratch, 'local-archives'), config()));

  it('resolves a relative folder against the directory npm run was started from', async () => {
    const store = await openStore('backups', config(), '/somewhere/else');
    expect(store.location).toBe('/somewhere/else/backups');
  });

  it('is never what a mistyped bucket URL becomes: any other scheme is refused before a store opens', async () => {
    const here = await mkdtemp(join(scratch, 'cwd-'));
    for (const location of ['S3://docflow-archive/x', 'gs:/docflow-archive/x', 'ftp://x/y', 's3://']) {
      await expect(openStore(location, config(), here), location).rejects.toThrow(/^"[^"]+": .*; use s3:\/\/<bucket>\[\/<prefix>\], gs:\/\/<bucket>\[\/<prefix>\] or a folder/);
    }
    expect(await readdir(here)).toEqual([]);
  });
});

describe('S3 on the local emulator (real AWS SDK)', () => {
  behavesAsAStore(() => openStore('s3://docflow-archive/nightly/', config()));
});

describe('GCS through @google-cloud/storage against a local STAND-IN server (no GCS emulator runs here)', () => {
  behavesAsAStore(() => openStore('gs://docflow-archive/nightly', config()));

  it('stores objects under the prefix, with their content types', async () => {
    const store = await openStore('gs://docflow-archive/typed', config());
    try {
      await store.writeText('docflow-z/manifest.json', '{}');
      expect(gcs.objects.get('docflow-archive/typed/docflow-z/manifest.json')?.contentType).toBe('application/json');
    } finally {
      store.close();
    }
  });
});
