import { parseArgs } from 'node:util';
import { locationKind } from '../storage/store.js';

export const USAGE = `docflow-exporter: the off-site archive of the document collection

  export  --to <folder | s3://bucket[/prefix] | gs://bucket[/prefix]> [--since <time | last>] [--work <location>]
          Every processed document (or those processed since a time) from the api, into a new
          dated archive there: documents.jsonl.gz (each document with its body and SHA-256),
          documents.epub (one chapter per document) and manifest.json. Interrupted? Run the same
          command again: it continues from its last cursor. --since last: since the newest archive there.
          --work: keep the unfinished export's parts and progress there instead (and a copy of each
          manifest, for --since last); --to then only receives the three files, each written once
          (a bucket with a retention policy, a writer that may only create objects).
  restore --from <archive | folder holding archives>
          Checks every SHA-256 against the manifest, then sends the documents back through ingest
          (they keep their ids; running it twice changes nothing). A folder holding archives
          restores its newest full export and every later --since one, oldest first.
  verify  --from <archive | folder holding archives>
          The checks of restore, sending nothing.

Options:
  --json    the summary as one JSON object on stdout (progress stays on stderr, and only on a terminal)
  --help    this text

Examples:
  npm run export -- --to ./backups                      # against npm start, nothing else to set
  npm run export -- --to s3://docflow-archive --since last
  node apps/exporter/dist/main.js export --to gs://docflow-archive-prod/nightly --work gs://docflow-export-work-prod/nightly --since last
  npm run restore -- --from ./backups
  node apps/exporter/dist/main.js verify --from gs://docflow-archive-prod/docflow-20260501T020000Z

Environment: DOCFLOW_API_URL, DOCFLOW_INGEST_URL and DOCFLOW_API_KEY (local mode: npm start's);
AWS credentials and AWS_REGION for s3:// (local mode: the emulator); Application Default
Credentials and GOOGLE_CLOUD_PROJECT for gs://; EXPORTER_CONCURRENCY, EXPORTER_MAX_ATTEMPTS,
EXPORTER_REQUEST_TIMEOUT_MS to tune.
Exit codes: 0 done, 1 error (the message says what), 2 verify found the archive damaged.`;

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'export'; readonly to: string; readonly work?: string; readonly since?: Date | 'last'; readonly json: boolean }
  | { readonly kind: 'restore' | 'verify'; readonly from: string; readonly json: boolean };

/** A command line that does not say what to do; the message says what is wrong. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseSince(value: string): Date | 'last' {
  if (value === 'last') return 'last';
  const time = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`--since: expected a time (2026-05-01, 2026-05-01T12:00:00Z) or "last", got ${JSON.stringify(value)}`);
  }
  return new Date(time);
}

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        to: { type: 'string' },
        work: { type: 'string' },
        from: { type: 'string' },
        since: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
  const { positionals, values } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') return { kind: 'help' };
  if (command === undefined) throw new UsageError('name a command: export, restore or verify (--help shows them)');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const json = values.json ?? false;
  switch (command) {
    case 'export': {
      if (values.to === undefined) throw new UsageError('export needs --to <folder | s3://bucket/prefix | gs://bucket/prefix>');
      if (values.from !== undefined) throw new UsageError('export takes --to, not --from');
      if (values.work !== undefined && values.work === values.to) throw new UsageError('--work must be another place than --to (or left out)');
      locationKind(values.to, `--to ${JSON.stringify(values.to)}`);
      if (values.work !== undefined) locationKind(values.work, `--work ${JSON.stringify(values.work)}`);
      return {
        kind: 'export',
        to: values.to,
        json,
        ...(values.work !== undefined ? { work: values.work } : {}),
        ...(values.since !== undefined ? { since: parseSince(values.since) } : {}),
      };
    }
    case 'restore':
    case 'verify': {
      if (values.from === undefined) throw new UsageError(`${command} needs --from <archive | folder holding archives>`);
      if (values.to !== undefined || values.since !== undefined || values.work !== undefined) throw new UsageError(`${command} takes only --from (and --json)`);
      locationKind(values.from, `--from ${JSON.stringify(values.from)}`);
      return { kind: command, from: values.from, json };
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}: export, restore or verify (--help shows them)`);
  }
}
