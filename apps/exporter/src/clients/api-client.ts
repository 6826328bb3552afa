import {
  DOCUMENT_LIST_MAX_LIMIT,
  DocumentListSchema,
  DocumentSchema,
  StatsSchema,
  type Document,
  type DocumentList,
  type Stats,
} from '@docflow/contracts';
import type { z } from 'zod';
import { RequestRefusedError, ServiceClient } from './http.js';

/** Reads a JSON answer against its contract; an answer outside it is not worth a retry. */
export function jsonOf<S extends z.ZodType>(client: ServiceClient, schema: S, what: string) {
  return async (response: Response): Promise<z.infer<S>> => {
    const result = schema.safeParse(await response.json());
    if (!result.success) {
      throw new RequestRefusedError(client.service, response.status, `${client.service} answered something that is not ${what}: ${result.error.issues[0]?.message ?? ''}`);
    }
    return result.data;
  };
}

/** The api's read side, as the exporter uses it: the newest-first listing, one document, its body, stats. */
export class ApiClient {
  constructor(readonly http: ServiceClient) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** One page of the newest-first listing (no `q`), as large as the api allows. */
  list(cursor: string | null, limit: number = DOCUMENT_LIST_MAX_LIMIT): Promise<DocumentList> {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor !== null ? { cursor } : {}) });
    return this.http.request(`/v1/documents?${query}`, {}, jsonOf(this.http, DocumentListSchema, 'a document list'));
  }

  /** The document with its text; undefined when the api does not know it. */
  get(id: string): Promise<Document | undefined> {
    const read = jsonOf(this.http, DocumentSchema, 'a document');
    return this.http.request(`/v1/documents/${id}`, {}, (response) => (response.status === 404 ? discard(response) : read(response)), [404]);
  }

  /** The body exactly as ingest stored it (UTF-8 bytes); undefined when it is not stored. */
  body(id: string): Promise<Buffer | undefined> {
    return this.http.request(
      `/v1/documents/${id}/body`,
      {},
      async (response) => (response.status === 404 ? discard(response) : Buffer.from(await response.arrayBuffer())),
      [404],
    );
  }

  stats(): Promise<Stats> {
    return this.http.request('/v1/stats', {}, jsonOf(this.http, StatsSchema, 'stats'));
  }
}

async function discard(response: Response): Promise<undefined> {
  await response.body?.cancel();
  return undefined;
}
