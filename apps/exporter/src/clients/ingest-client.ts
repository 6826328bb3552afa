import { IngestBatchAcceptedSchema, type IngestAccepted, type IngestDocumentRequest } from '@docflow/contracts';
import { jsonOf } from './api-client.js';
import type { ServiceClient } from './http.js';

/** Ingest's batch endpoint: all or nothing per request, and safe to resend (ids derive from the content). */
export class IngestClient {
  constructor(readonly http: ServiceClient) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Sends one batch; the answer lists each document's id in the order sent. */
  async batch(documents: readonly IngestDocumentRequest[]): Promise<IngestAccepted[]> {
    const accepted = await this.http.request(
      '/v1/documents:batch',
      { method: 'POST', body: batchBody(documents), headers: { 'content-type': 'application/json' } },
      jsonOf(this.http, IngestBatchAcceptedSchema, 'a batch answer'),
    );
    return accepted.documents;
  }
}

export function batchBody(documents: readonly IngestDocumentRequest[]): string {
  return JSON.stringify({ documents });
}
