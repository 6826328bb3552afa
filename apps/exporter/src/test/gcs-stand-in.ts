import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/**
 * A STAND-IN for Google Cloud Storage: no GCS emulator runs here (the Firebase Storage emulator
 * on npm needs a Java runtime and a rules engine it downloads). It speaks the part of the GCS JSON
 * API that @google-cloud/storage uses for the exporter's calls (resumable uploads, media
 * downloads with x-goog-hash, object metadata, listing with prefixes, deletes), keeping objects in
 * memory, so the real SDK is exercised over real HTTP. Tests that use it say so in their names.
 */
export interface GcsStandIn {
  /** Give this to the SDK as `apiEndpoint` (DOCFLOW_GCS_ENDPOINT). */
  readonly endpoint: string;
  readonly objects: Map<string, { data: Buffer; contentType: string }>;
  close(): Promise<void>;
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

function metadataOf(bucket: string, name: string, object: { data: Buffer; contentType: string }) {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/1`,
    name,
    bucket,
    generation: '1',
    metageneration: '1',
    contentType: object.contentType,
    size: String(object.data.byteLength),
    md5Hash: md5(object.data),
  };
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function notFound(res: ServerResponse, what: string): void {
  json(res, 404, { error: { code: 404, message: `No such object: ${what}`, errors: [{ reason: 'notFound', message: `No such object: ${what}` }] } });
}

function forbidden(res: ServerResponse, what: string): void {
  json(res, 403, { error: { code: 403, message: what, errors: [{ reason: 'forbidden', message: what }] } });
}

export interface GcsStandInOptions {
  /**
   * Buckets the caller may only create objects in, as the Cloud Run job may in the archive bucket
   * (roles/storage.objectCreator, under a retention policy): reading, listing, deleting and
   * overwriting an object answer 403, as GCS would.
   */
  readonly createOnly?: readonly string[];
}

export async function startGcsStandIn(buckets: readonly string[], options: GcsStandInOptions = {}): Promise<GcsStandIn> {
  const objects = new Map<string, { data: Buffer; contentType: string }>();
  const uploads = new Map<string, { bucket: string; name: string; contentType: string }>();
  const known = new Set(buckets);
  const createOnly = new Set(options.createOnly ?? []);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => json(res, 500, { error: { code: 500, message: error.message } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const bucket = decodeURIComponent((upload ?? object ?? list)?.[1] ?? '');
    if (!known.has(bucket)) return json(res, 404, { error: { code: 404, message: `The specified bucket does not exist: ${bucket}` } });

    if (upload && req.method === 'POST' && url.searchParams.get('uploadType') === 'resumable') {
      const metadata = JSON.parse((await bodyOf(req)).toString('utf8') || '{}') as { contentType?: string };
      const id = randomUUID();
      uploads.set(id, {
        bucket,
        name: url.searchParams.get('name') ?? '',
        contentType: metadata.contentType ?? String(req.headers['x-upload-content-type'] ?? 'application/octet-stream'),
      });
      res.writeHead(200, { location: `http://${req.headers.host}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}` });
      return void res.end();
    }
    if (upload && req.method === 'PUT') {
      const pending = uploads.get(url.searchParams.get('upload_id') ?? '');
      if (pending === undefined) return json(res, 404, { error: { code: 404, message: 'unknown upload' } });
      const data = await bodyOf(req);
      uploads.delete(url.searchParams.get('upload_id') ?? '');
      if (createOnly.has(bucket) && objects.has(`${bucket}/${pending.name}`)) {
        return forbidden(res, `storage.objects.delete denied: ${pending.name} exists (an overwrite deletes it)`);
      }
      const stored = { data, contentType: pending.contentType };
      objects.set(`${bucket}/${pending.name}`, stored);
      return json(res, 200, metadataOf(bucket, pending.name, stored));
    }
    if ((object || list) && createOnly.has(bucket)) {
      return forbidden(res, `${req.method === 'DELETE' ? 'storage.objects.delete' : object ? 'storage.objects.get' : 'storage.objects.list'} denied on ${bucket}`);
    }
    if (object) {
      const name = decodeURIComponent(object[2] ?? '');
      const stored = objects.get(`${bucket}/${name}`);
      if (req.method === 'DELETE') {
        if (stored === undefined) return notFound(res, name);
        objects.delete(`${bucket}/${name}`);
        res.writeHead(204);
        return void res.end();
      }
      if (stored === undefined) return notFound(res, name);
      if (url.searchParams.get('alt') === 'media') {
        res.writeHead(200, {
          'content-type': stored.contentType,
          'content-length': stored.data.byteLength,
          'x-goog-hash': `md5=${md5(stored.data)}`,
          'x-goog-stored-content-encoding': 'identity',
          'x-goog-generation': '1',
        });
        return void res.end(stored.data);
      }
      return json(res, 200, metadataOf(bucket, name, stored));
    }
    if (list && req.method === 'GET') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const delimiter = url.searchParams.get('delimiter');
      const items: ReturnType<typeof metadataOf>[] = [];
      const prefixes = new Set<string>();
      for (const [key, stored] of [...objects].sort(([a], [b]) => a.localeCompare(b))) {
        if (!key.startsWith(`${bucket}/`)) continue;
        const name = key.slice(bucket.length + 1);
        if (!name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (cut !== -1) prefixes.add(prefix + rest.slice(0, cut + 1));
        else items.push(metadataOf(bucket, name, stored));
      }
      return json(res, 200, { kind: 'storage#objects', items, prefixes: [...prefixes] });
    }
    json(res, 501, { error: { code: 501, message: `the stand-in does not implement ${req.method} ${url.pathname}` } });
  }

  const listening = await listenOnLoopback(server);
  return { endpoint: listening.url, objects, close: listening.close };
}
