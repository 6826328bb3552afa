import { documentIdFor, sha256Hex } from '@docflow/contracts';
import type { ProcessedDocumentRecord } from '../documents/repository.js';

export type DocumentFixtureOverrides = Partial<Omit<ProcessedDocumentRecord, 'id' | 'sha256' | 'sizeBytes'>>;

/**
 * A processed document whose id, digest and size follow from its url and text, the way the
 * pipeline derives them.
 */
export function documentFixture(overrides: DocumentFixtureOverrides = {}): ProcessedDocumentRecord {
  const text = overrides.text ?? 'A plain document about nothing in particular.';
  const url = overrides.url ?? `https://example.com/${sha256Hex(text).slice(0, 12)}`;
  const sha256 = sha256Hex(text);
  return {
    url,
    contentType: overrides.contentType ?? 'text/plain',
    title: overrides.title ?? null,
    text,
    receivedAt: overrides.receivedAt ?? new Date(),
    id: documentIdFor(url, sha256),
    sha256,
    sizeBytes: Buffer.byteLength(text, 'utf8'),
  };
}
