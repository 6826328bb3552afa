import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '@docflow/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsStandIn, type GcsStandIn } from './test/gcs-stand-in.js';
import { sampleDocuments, startPipeline, type Pipeline } from './test/pipeline.js';

/**
 * The command as people and the Cloud Run job run it: main.ts in its own process, configured by
 * environment variables, answering with exit codes, one-line errors, a table or --json.
 */
const run = promisify(execFile);
let pipeline: Pipeline;
let gcs: GcsStandIn;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'docflow-cli-'));
  [pipeline, gcs] = await Promise.all([
    startPipeline(),
    startGcsStandIn(['docflow-archive-test', 'docflow-retained-test', 'docflow-work-test'], { createOnly: ['docflow-retained-test'] }),
  ]);
  await pipeline.ingest(sampleDocuments('cli', 6));
  await pipeline.waitForDocuments(6);
}, 180_000);

afterAll(async () => {
  await Promise.all([pipeline?.stop(), gcs?.close()]);
  await rm(scratch, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function exporter(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, ...pipeline.exporterEnv, DOCFLOW_GCS_ENDPOINT: gcs.endpoint, GOOGLE_CLOUD_PROJECT: 'docflow-test', EXPORTER_MAX_ATTEMPTS: '2', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('exporter command line', () => {
  it('--help shows the commands and an example, exit 0', async () => {
    const { code, stdout } = await exporter(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('npm run export -- --to ./backups');
    expect(stdout).toMatch(/export\s+--to/);
  });

  it('a usage mistake is one line saying what is wrong, exit 1, no stack trace', async () => {
    const since = await exporter(['export', '--to', scratch, '--since', 'yesterday']);
    expect(since.code).toBe(1);
    expect(since.stderr).toBe('exporter: --since: expected a time (2026-05-01, 2026-05-01T12:00:00Z) or "last", got "yesterday"\n(--help shows the commands and an example)\n');
    const unknown = await exporter(['backup']);
    expect(unknown.stderr.split('\n')[0]).toBe('exporter: unknown command "backup": export, restore or verify (--help shows them)');
  });

  it('a --to, --work or --from with any scheme but s3:// or gs:// is refused in one line, exit 1, nothing written (it would have been a local folder named "S3:")', async () => {
    const accepted = 'use s3://<bucket>[/<prefix>], gs://<bucket>[/<prefix>] or a folder (./<name> when its name holds a colon)';
    const here = await mkdtemp(join(scratch, 'cwd-'));
    const refused = async (args: string[], line: string) => {
      const outcome = await exporter(args, { INIT_CWD: here });
      expect.soft(outcome, args.join(' ')).toEqual({ code: 1, stdout: '', stderr: `exporter: ${line}; ${accepted}\n` });
    };
    // independent one-line refusals: run at once, so a loaded machine costs one process start, not eleven
    await Promise.all([
      refused(['export', '--to', 'ftp://x/y'], '--to "ftp://x/y": unknown scheme "ftp:"'),
      refused(['export', '--to', 'http://example.com/x', '--json'], '--to "http://example.com/x": unknown scheme "http:"'),
      refused(['export', '--to', 'S3://docflow-archive-test/x'], '--to "S3://docflow-archive-test/x": write the scheme as s3:// exactly (s3://docflow-archive-test/x)'),
      refused(['export', '--to', 'gs:/docflow-archive-test/x'], '--to "gs:/docflow-archive-test/x": write the scheme as gs:// exactly (gs://docflow-archive-test/x)'),
      refused(['export', '--to', 's3:/docflow-archive-test/x'], '--to "s3:/docflow-archive-test/x": write the scheme as s3:// exactly (s3://docflow-archive-test/x)'),
      refused(['export', '--to', 'Gs://docflow-archive-test'], '--to "Gs://docflow-archive-test": write the scheme as gs:// exactly (gs://docflow-archive-test)'),
      refused(['export', '--to', 'gs://'], '--to "gs://": names no bucket'),
      refused(['export', '--to', 'backups', '--work', 'file:///tmp/work'], '--work "file:///tmp/work": unknown scheme "file:"'),
      refused(['restore', '--from', 'S3://docflow-archive-test/nightly'], '--from "S3://docflow-archive-test/nightly": write the scheme as s3:// exactly (s3://docflow-archive-test/nightly)'),
      refused(['verify', '--from', 'ftp://x/nightly', '--json'], '--from "ftp://x/nightly": unknown scheme "ftp:"'),
      refused(['verify', '--from', 'gs:docflow-archive-test'], '--from "gs:docflow-archive-test": write the scheme as gs:// exactly (gs://docflow-archive-test)'),
    ]);
    expect(await readdir(here)).toEqual([]);
  }, 120_000);

  it('a folder whose name holds a colon is written ./name:x, relative to where the command was started', async () => {
    const here = await mkdtemp(join(scratch, 'cwd-'));
    const exported = await exporter(['export', '--to', './ftp:x', '--json'], { INIT_CWD: here });
    expect(exported.code).toBe(0);
    const { archive, name } = JSON.parse(exported.stdout) as { archive: string; name: string };
    expect(archive).toBe(join(here, 'ftp:x', name));
    expect(await readdir(join(here, 'ftp:x', name))).toEqual(['documents.epub', 'documents.jsonl.gz', 'manifest.json']);
  }, 60_000);

  it('a wrong API key: one line saying so, exit 1 (export against the api, restore against ingest)', async () => {
    const exported = await exporter(['export', '--to', join(scratch, 'wrong-key')], { DOCFLOW_API_KEY: 'not-the-key-0123456789' });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toBe(`exporter: api at ${pipeline.apiUrl} refused the API key (401): set DOCFLOW_API_KEY to a key it accepts\n`);

    const good = await exporter(['export', '--to', join(scratch, 'for-restore'), '--json']);
    const archive = (JSON.parse(good.stdout) as { archive: string }).archive;
    const restored = await exporter(['restore', '--from', archive], { DOCFLOW_API_KEY: 'not-the-key-0123456789' });
    expect(restored.code).toBe(1);
    expect(restored.stderr).toBe(`exporter: ingest at ${pipeline.ingestUrl} refused the API key (401): set DOCFLOW_API_KEY to a key it accepts\n`);
  }, 60_000);

  it('an api that is not there: the retries on stderr, then one line naming it, exit 1', async () => {
    const nobody = `http://127.0.0.1:${await findFreePort()}`;
    const { code, stderr } = await exporter(['export', '--to', join(scratch, 'nowhere')], { DOCFLOW_API_URL: nobody });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^api: ECONNREFUSED; retrying in \d+\.\d s \(attempt 2\)$/),
      `exporter: api at ${nobody} did not answer after 2 attempts (last: ECONNREFUSED)`,
    ]);
  });

  it('exports to S3 (the local emulator) with a summary table, verifies and restores from there', async () => {
    const exported = await exporter(['export', '--to', 's3://docflow-archive-test/nightly']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^exported 6 documents to s3:\/\/docflow-archive-test\/nightly\/docflow-\d{8}T\d{6}Z\n/);
    expect(exported.stdout).toMatch(/\n {2}documents\.jsonl\.gz +[\d.]+ (B|KiB) {2}sha256 [0-9a-f]{64}\n/);

    const verified = await exporter(['verify', '--from', 's3://docflow-archive-test/nightly', '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true, archives: [{ documents: 6 }] });

    const restored = await exporter(['restore', '--from', 's3://docflow-archive-test/nightly', '--json']);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ documents: 6, batches: 1, retries: 0 });
  }, 60_000);

  it('exports to GCS through @google-cloud/storage against a local STAND-IN server (no GCS emulator runs here), and restores from it', async () => {
    const exported = await exporter(['export', '--to', 'gs://docflow-archive-test/prod', '--json']);
    expect(exported.code).toBe(0);
    const result = JSON.parse(exported.stdout) as { name: string; documents: number };
    expect(result.documents).toBe(6);
    expect([...gcs.objects.keys()].filter((key) => key.includes(result.name)).sort()).toEqual([
      `docflow-archive-test/prod/${result.name}/documents.epub`,
      `docflow-archive-test/prod/${result.name}/documents.jsonl.gz`,
      `docflow-archive-test/prod/${result.name}/manifest.json`,
    ]);
    const restored = await exporter(['restore', '--from', `gs://docflow-archive-test/prod/${result.name}`, '--json']);
    expect(JSON.parse(restored.stdout)).toMatchObject({ documents: 6 });
  }, 60_000);

  it("runs as the Cloud Run job does (GCS STAND-IN): no AWS setting, a work bucket, and an archive bucket it may only create objects in", async () => {
    const job = ['export', '--to', 'gs://docflow-retained-test/nightly', '--work', 'gs://docflow-work-test/nightly', '--since', 'last', '--json'];
    const env = { DOCFLOW_ENV: 'dev', AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_ENDPOINT_URL: '' };
    const first = await exporter(job, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await exporter(job, env);
    expect(second.code).toBe(0);
    const [a, b] = [first, second].map((outcome) => JSON.parse(outcome.stdout) as { name: string; documents: number; sinceNote: string });
    expect(a?.documents).toBe(6);
    expect(b?.sinceNote).toContain(a?.name);
    const under = (bucket: string) => [...gcs.objects.keys()].filter((key) => key.startsWith(`${bucket}/`)).sort();
    expect(under('docflow-retained-test')).toEqual(
      [a, b].flatMap((result) => ['documents.epub', 'documents.jsonl.gz', 'manifest.json'].map((file) => `docflow-retained-test/nightly/${result?.name}/${file}`)),
    );
    expect(under('docflow-work-test')).toEqual([a, b].map((result) => `docflow-work-test/nightly/${result?.name}/manifest.json`));
    // what the job cannot do there, the stand-in refuses as GCS would
    const verify = await exporter(['verify', '--from', 'gs://docflow-retained-test/nightly']);
    expect(verify.stderr).toMatch(/storage\.objects\.(get|list) denied/);
  }, 90_000);

  it('verify finds a damaged archive: exit 2, naming the file and the line', async () => {
    const good = await exporter(['export', '--to', join(scratch, 'to-damage'), '--json']);
    const archive = (JSON.parse(good.stdout) as { archive: string }).archive;
    const damaged = join(scratch, 'damaged');
    await cp(archive, damaged, { recursive: true });
    const bytes = await readFile(join(damaged, 'documents.jsonl.gz'));
    await writeFile(join(damaged, 'documents.jsonl.gz'), bytes.subarray(0, bytes.byteLength - 30));

    const human = await exporter(['verify', '--from', damaged]);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/^damaged: documents\.jsonl\.gz line \d+: truncated or corrupt gzip after line \d+ \(unexpected end of file\)\n$/);
    const json = await exporter(['verify', '--from', damaged, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: false, file: 'documents.jsonl.gz', line: expect.any(Number) });

    const restore = await exporter(['restore', '--from', damaged]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/^exporter: documents\.jsonl\.gz line \d+: truncated or corrupt gzip/);
  }, 60_000);
});
