import type { RetryNotice } from '../clients/http.js';
import type { ExportProgress, ExportResult } from '../export.js';
import type { RestoreProgress, RestoreResult, VerifiedArchive } from '../restore.js';

const count = (value: number) => value.toLocaleString('en-US');
const plural = (value: number, one: string, many: string) => `${count(value)} ${value === 1 ? one : many}`;

export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function perSecond(documents: number, ms: number): string {
  return ms > 0 ? `${count(Math.round((documents * 1000) / ms))} documents/s` : '-';
}

/**
 * Progress on stderr: one line rewritten in place on a terminal, nothing elsewhere (a job's log
 * gets the summary). Retries are always written, each on a line of its own.
 */
export class Progress {
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private get live(): boolean {
    return this.stream.isTTY === true;
  }

  update(line: string): void {
    if (!this.live) return;
    this.stream.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  note(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  retry = (notice: RetryNotice): void => {
    this.note(`${notice.service}: ${notice.problem}; retrying in ${seconds(notice.delayMs)} (attempt ${notice.attempt + 1})`);
  };

  exporting = (progress: ExportProgress): void => {
    const skipped = progress.skipped > 0 ? `, ${count(progress.skipped)} skipped` : '';
    const phase = { listing: 'exporting', assembling: 'writing documents.jsonl.gz and documents.epub', uploading: 'uploading' }[progress.phase];
    this.update(`${phase}: ${count(progress.documents)} documents, ${count(progress.pages)} pages${skipped}`);
  };

  restoring = (progress: RestoreProgress): void => {
    this.update(
      progress.phase === 'verifying'
        ? `verifying: ${count(progress.documents)} documents checked`
        : `restoring: ${count(progress.documents)} of ${count(progress.total)} documents accepted by ingest`,
    );
  };
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

export function exportSummary(result: ExportResult, retries: number): string {
  const rows: [string, string][] = [];
  for (const [file, info] of Object.entries(result.files)) rows.push([file, `${bytes(info.bytes)}  sha256 ${info.sha256}`]);
  rows.push(['manifest.json', 'written last: the archive is complete']);
  rows.push(['skipped', `${count(result.skippedFailed)} failed (no body), ${count(result.skippedMissingBody)} without a stored body, ${count(result.skippedOlder)} processed before --since`]);
  const since = result.since ?? 'everything';
  rows.push(['since', result.sinceNote !== undefined ? `${since} (${result.sinceNote})` : since]);
  rows.push(['watermark', `${result.watermark ?? 'none'} (the next --since last starts here)`]);
  if (result.resumed) rows.push(['resumed', `${count(result.resumedDocuments)} documents were exported by an earlier run`]);
  rows.push(['took', `${seconds(result.elapsedMs)} (listing ${seconds(result.listingMs)}, files ${seconds(result.assemblyMs)}), ${plural(result.pages, 'page', 'pages')}, ${perSecond(result.documents - result.resumedDocuments, result.elapsedMs)}, ${plural(retries, 'retry', 'retries')}`]);
  return `exported ${count(result.documents)} documents to ${result.archive}\n${table(rows)}`;
}

export function restoreSummary(result: RestoreResult, retries: number): string {
  const rows: [string, string][] = result.archives.map((archive) => [
    archive.name || '(archive)',
    `${count(archive.documents)} documents, exported ${archive.exportedAt}${archive.since !== null ? `, since ${archive.since}` : ''}`,
  ]);
  rows.push(['verified', 'every SHA-256 against the manifests, before sending']);
  rows.push(['took', `${seconds(result.elapsedMs)}, ${plural(result.batches, 'batch', 'batches')}, ${perSecond(result.documents, result.elapsedMs)}, ${plural(retries, 'retry', 'retries')}`]);
  return `restored ${count(result.documents)} documents from ${result.location} (ingest accepted each with its archived id; the worker processes them next)\n${table(rows)}`;
}

export function verifySummary(location: string, archives: readonly VerifiedArchive[]): string {
  const rows: [string, string][] = archives.map((archive) => [archive.name || '(archive)', `${count(archive.documents)} documents, every SHA-256 matches`]);
  return `${location}: intact\n${table(rows)}`;
}
