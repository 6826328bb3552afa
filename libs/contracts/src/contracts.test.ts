import { describe, expect, it } from 'vitest';
import {
  DocumentListQuerySchema,
  IngestBatchRequestSchema,
  IngestDocumentRequestSchema,
  MAX_BATCH_DOCUMENTS,
  MAX_DOCUMENT_BYTES,
  blobKeyFor,
  documentIdFor,
  nextAttempt,
  parseDocumentMessage,
  SQS_UNSAFE_CHARACTERS,
  toQueueSafeText,
  serializeDocumentMessage,
  sha256Hex,
  type DocumentMessage,
  HAND_BACK_MARKER,
  TASK_BODY_PATH,
  handBackPrefix,
  handedBack,
  taskStoppedRules,
  unwrapHandBacks,
} from './index.js';

const body = '<html><head><title>Hello</title></head><body>world</body></html>';
const digest = sha256Hex(body);

function message(overrides: Partial<DocumentMessage> = {}): DocumentMessage {
  return {
    v: 1,
    documentId: documentIdFor('https://example.com/a', digest),
    blobKey: blobKeyFor(digest),
    sha256: digest,
    url: 'https://example.com/a',
    contentType: 'text/html',
    receivedAt: '2026-01-02T03:04:05.000Z',
    attempt: 1,
    correlationId: 'req-1',
    ...overrides,
  };
}

describe('document ids', () => {
  it('gives the same URL and body the same id, and a different id when either changes', () => {
    const id = documentIdFor('https://example.com/a', digest);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(documentIdFor('https://example.com/a', digest)).toBe(id);
    expect(documentIdFor('https://example.com/b', digest)).not.toBe(id);
    expect(documentIdFor('https://example.com/a', sha256Hex('other'))).not.toBe(id);
  });

  it('addresses blobs by content', () => {
    expect(blobKeyFor(digest)).toBe(`raw/${digest}`);
  });
});

describe('queue message v1', () => {
  it('round-trips through serialize and parse', () => {
    const parsed = parseDocumentMessage(serializeDocumentMessage(message({ title: 'T' })));
    expect(parsed).toEqual({ ok: true, message: message({ title: 'T' }) });
  });

  it('names the problem when the body is not JSON', () => {
    const parsed = parseDocumentMessage('{not json');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/^message body is not JSON/);
  });

  it('rejects a JSON value that is not an object', () => {
    expect(parseDocumentMessage('[1,2]')).toEqual({ ok: false, reason: 'message body must be a JSON object' });
  });

  it('rejects an unknown version by number', () => {
    const parsed = parseDocumentMessage(JSON.stringify({ ...message(), v: 2 }));
    expect(parsed).toEqual({ ok: false, reason: 'unsupported message version 2 (this worker reads v1)' });
  });

  it('names each field that breaks the contract', () => {
    const parsed = parseDocumentMessage(JSON.stringify({ ...message(), blobKey: 'elsewhere/x', attempt: 0 }));
    expect(parsed.ok).toBe(false);
    const reason = !parsed.ok ? parsed.reason : '';
    expect(reason).toContain('blobKey: must be raw/<sha256>');
    expect(reason).toContain('attempt:');
  });

  it('refuses to serialize a message over the Pipes override budget', () => {
    // a long URL and a long title of 3-byte characters, each within its own limit
    const huge = { ...message(), url: `https://e.com/${'a'.repeat(4_000)}`, title: '€'.repeat(1_000) };
    expect(() => serializeDocumentMessage(huge)).toThrow(/bytes; the limit is 6144/);
  });

  it('carries every valid character in a body that every SQS implementation accepts', () => {
    // emoji (refused by the local emulator), noncharacters U+FFFE/U+FFFF and C1 controls (refused by SQS)
    const title = 'Café 🦓 \uFFFE\uFFFF \u0085 \u0007 “quotes” 中文';
    const body = serializeDocumentMessage(message({ title }));
    expect(body).not.toMatch(SQS_UNSAFE_CHARACTERS);
    expect(body).toContain('\\ud83e\\udd93');
    expect(body).toContain('Café'); // the rest of the BMP travels as it is: a title stays small
    expect(parseDocumentMessage(body)).toEqual({ ok: true, message: message({ title }) });
  });

  it('makes any text safe for a message attribute', () => {
    expect(toQueueSafeText('ok \uFFFF \uD83E')).toBe('ok \uFFFD \uFFFD');
  });

  it('counts attempts up without touching anything else', () => {
    expect(nextAttempt(message({ attempt: 2 }))).toEqual(message({ attempt: 3 }));
  });

  it('reads a body the task-stopped rule handed back: each marker in front is one attempt spent', () => {
    const raw = serializeDocumentMessage(message({ attempt: 2 }));
    const thrice = handedBack(handedBack(handedBack(raw)));
    expect(thrice).toBe(`${handBackPrefix(3)}${raw}${'"'.repeat(3)}`);
    expect(parseDocumentMessage(thrice)).toEqual({ ok: true, message: message({ attempt: 5 }) });
    // should EventBridge strip the template's quotes, the levels still count
    expect(unwrapHandBacks(`${HAND_BACK_MARKER}${HAND_BACK_MARKER}${raw}`)).toEqual({ handBacks: 2, body: raw });
    // a marker anywhere but in front is no hand-back: the body breaks the contract
    expect(parseDocumentMessage(` ${HAND_BACK_MARKER}${raw}`).ok).toBe(false);
  });
});

describe('task-stopped rules (the AWS rule and the local emulation read the same definition)', () => {
  const target = {
    clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/docflow-dev',
    group: 'docflow-dev-pipe-worker',
    containerName: 'worker',
    bodyVariable: 'SQS_BODY',
    handBackLimit: 5,
  };

  it('hands back a stopped task of the pipe whose worker did not finish, until the body carries limit - 1 markers', () => {
    const rules = taskStoppedRules(target);
    const detail = rules.handBack.eventPattern['detail'] as Record<string, unknown>;
    expect(detail).toMatchObject({
      clusterArn: [target.clusterArn],
      group: [target.group],
      lastStatus: ['STOPPED'],
      overrides: { containerOverrides: { name: ['worker'], environment: { name: ['SQS_BODY'], value: [{ 'anything-but': { prefix: handBackPrefix(4) } }] } } },
      $or: [
        { containers: { name: ['worker'], exitCode: [{ 'anything-but': [0, 10] }] } },
        { containers: { name: ['worker'], exitCode: [{ exists: false }] } },
      ],
    });
    expect((rules.deadLetter.eventPattern['detail'] as { overrides: unknown }).overrides).toMatchObject({
      containerOverrides: { environment: { value: [{ prefix: handBackPrefix(4) }] } },
    });
    for (const rule of [rules.handBack, rules.deadLetter]) {
      expect(rule.inputTransformer).toEqual({ inputPaths: { body: TASK_BODY_PATH }, inputTemplate: `"${HAND_BACK_MARKER}<body>"` });
    }
  });

  it('refuses a limit that would dead-letter on the first stop', () => {
    expect(() => taskStoppedRules({ ...target, handBackLimit: 1 })).toThrow('handBackLimit must be an integer of at least 2, got 1');
  });
});

describe('ingest request', () => {
  const valid = { url: 'https://example.com/x', contentType: 'text/plain', body: 'hi' };

  it('accepts a plain document and an optional title', () => {
    expect(IngestDocumentRequestSchema.parse({ ...valid, title: ' T ' })).toEqual({ ...valid, title: 'T' });
  });

  it('measures the 1 MiB limit in UTF-8 bytes, not characters', () => {
    const twoByteChars = 'é'.repeat(MAX_DOCUMENT_BYTES / 2);
    expect(IngestDocumentRequestSchema.safeParse({ ...valid, body: twoByteChars }).success).toBe(true);
    const result = IngestDocumentRequestSchema.safeParse({ ...valid, body: `${twoByteChars}é` });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['body'], message: expect.stringContaining('1 MiB') });
  });

  it.each([
    ['url', { url: 'ftp://example.com/x' }],
    ['url', { url: 'not a url' }],
    ['contentType', { contentType: 'application/pdf' }],
    ['body', { body: '' }],
  ])('rejects a bad %s', (field, change) => {
    const result = IngestDocumentRequestSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual([field]);
  });

  it('refuses NUL characters, which PostgreSQL text cannot hold, in url, title and query', () => {
    for (const change of [{ url: 'https://example.com/a\u0000b' }, { title: 'a\u0000b' }]) {
      const result = IngestDocumentRequestSchema.safeParse({ ...valid, ...change });
      expect(result.error?.issues[0]?.message).toBe('must not contain the NUL character (U+0000)');
    }
    expect(DocumentListQuerySchema.safeParse({ q: 'a\u0000b' }).error?.issues[0]?.path).toEqual(['q']);
  });

  it('says that a URL is too long, not that it is no URL', () => {
    const result = IngestDocumentRequestSchema.safeParse({ ...valid, url: `https://example.com/${'a'.repeat(4_100)}` });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['must be at most 4096 characters']);
  });

  it('refuses unpaired surrogates, which UTF-8 cannot hold, naming where they are', () => {
    for (const [field, value] of [['title', 'ab\uD800c'], ['url', 'https://example.com/\uDC00'], ['body', 'x\uD83D']] as const) {
      const result = IngestDocumentRequestSchema.safeParse({ ...valid, [field]: value });
      expect(result.error?.issues[0]).toMatchObject({ path: [field], message: expect.stringMatching(/^must be well-formed Unicode: an unpaired surrogate \\u(D800|DC00|D83D) at character \d+$/) });
    }
    expect(IngestDocumentRequestSchema.safeParse({ ...valid, title: 'zebra 🦓' }).success).toBe(true);
  });

  it('limits a batch to 100 documents', () => {
    const documents = Array.from({ length: MAX_BATCH_DOCUMENTS + 1 }, () => valid);
    expect(IngestBatchRequestSchema.safeParse({ documents }).success).toBe(false);
    expect(IngestBatchRequestSchema.safeParse({ documents: documents.slice(1) }).success).toBe(true);
  });
});

describe('list query', () => {
  it('defaults the page size and coerces it from the query string', () => {
    expect(DocumentListQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(DocumentListQuerySchema.parse({ limit: '5', q: ' word ' })).toEqual({ limit: 5, q: 'word' });
    expect(DocumentListQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(DocumentListQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
  });
});
