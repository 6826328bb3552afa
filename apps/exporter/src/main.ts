import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadExporterConfig, type ExporterConfig } from '@docflow/config';
import { ArchiveError } from './archive/format.js';
import { USAGE, UsageError, parseCommand, type Command } from './cli/args.js';
import { Progress, exportSummary, restoreSummary, verifySummary } from './cli/output.js';
import { ApiClient } from './clients/api-client.js';
import { ApiKeyRefusedError, GaveUpError, RequestRefusedError, ServiceClient } from './clients/http.js';
import { IngestClient } from './clients/ingest-client.js';
import { ExportConflictError, ExportInterruptedError, runExport } from './export.js';
import { RestoreIncompleteError, resolveArchives, runRestore, verifyArchive, type VerifiedArchive } from './restore.js';
import { openStore } from './storage/open.js';
import { LocationError } from './storage/store.js';

/** Exit codes: 0 done, 1 error, 2 verify found the archive damaged. */
const DAMAGED = 2;

function serviceClient(service: string, baseUrl: string, config: ExporterConfig, progress: Progress): ServiceClient {
  return new ServiceClient(
    service,
    baseUrl,
    config.apiKey,
    { maxAttempts: config.maxAttempts, timeoutMs: config.requestTimeoutMs },
    progress.retry,
  );
}

async function run(command: Exclude<Command, { kind: 'help' }>, config: ExporterConfig, progress: Progress): Promise<number> {
  const print = (json: unknown, human: string) => process.stdout.write(`${command.json ? JSON.stringify(json) : human}\n`);
  if (command.kind === 'export') {
    const http = serviceClient('api', config.apiUrl, config, progress);
    const store = await openStore(command.to, config);
    const work = command.work !== undefined ? await openStore(command.work, config) : undefined;
    try {
      const result = await runExport({
        api: new ApiClient(http),
        store,
        ...(work !== undefined ? { work } : {}),
        concurrency: config.concurrency,
        onProgress: progress.exporting,
        ...(command.since !== undefined ? { since: command.since } : {}),
      });
      progress.clear();
      print({ ...result, retries: http.retries }, exportSummary(result, http.retries));
      return 0;
    } finally {
      store.close();
      work?.close();
    }
  }
  const store = await openStore(command.from, config);
  try {
    if (command.kind === 'verify') {
      const workDir = await mkdtemp(join(tmpdir(), 'docflow-verify-'));
      try {
        const archives: VerifiedArchive[] = [];
        for (const name of await resolveArchives(store)) archives.push(await verifyArchive(store, name, workDir));
        print(
          { location: store.location, intact: true, archives: archives.map(({ name, documents }) => ({ name, documents })) },
          verifySummary(store.location, archives),
        );
        return 0;
      } catch (error) {
        if (!(error instanceof ArchiveError)) throw error;
        print({ location: store.location, intact: false, file: error.file, line: error.line ?? null, problem: error.problem }, `damaged: ${error.message}`);
        return DAMAGED;
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    }
    if (config.ingestUrl === undefined) throw new UsageError('DOCFLOW_INGEST_URL: is required to restore outside local mode');
    const http = serviceClient('ingest', config.ingestUrl, config, progress);
    const result = await runRestore({ ingest: new IngestClient(http), store, concurrency: Math.min(config.concurrency, 4), onProgress: progress.restoring });
    progress.clear();
    print({ ...result, retries: http.retries }, restoreSummary(result, http.retries));
    return 0;
  } finally {
    store.close();
  }
}

/** Errors a user can act on: one line, no stack. */
const EXPECTED = [
  UsageError,
  ConfigError,
  ArchiveError,
  ApiKeyRefusedError,
  GaveUpError,
  RequestRefusedError,
  RestoreIncompleteError,
  ExportConflictError,
  ExportInterruptedError,
  LocationError,
];

async function main(argv: readonly string[]): Promise<number> {
  // the machines run Node 20 on purpose (docs/decisions.md); the SDK's notice is noise here
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const progress = new Progress();
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    return await run(command, loadExporterConfig(), progress);
  } catch (error) {
    progress.clear();
    const known = EXPECTED.some((type) => error instanceof type);
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`exporter: ${known ? message : `unexpected error: ${message}`}\n`);
    if (error instanceof UsageError) process.stderr.write('(--help shows the commands and an example)\n');
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
