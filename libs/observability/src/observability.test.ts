import { describe, expect, it } from 'vitest';
import { correlationIdFrom } from './index.js';
import { captureLogs } from './testing/index.js';

describe('createLogger', () => {
  it('writes one JSON object per line with service, level label and ISO time', () => {
    const { lines, logger } = captureLogs('ingest');
    logger.info({ documentId: 'abc' }, 'accepted');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'ingest', level: 'info', msg: 'accepted', documentId: 'abc' }),
    ]);
    expect(Date.parse(String(lines[0]?.time))).not.toBeNaN();
  });

  it('redacts API keys and passwords but keeps the keys', () => {
    const { lines, logger } = captureLogs('api');
    logger.info({ req: { headers: { 'x-api-key': 'secret-key', host: 'h' } }, db: { password: 'pw' } }, 'request');
    expect(lines[0]).toMatchObject({
      req: { headers: { 'x-api-key': '[redacted]', host: 'h' } },
      db: { password: '[redacted]' },
    });
  });

  it('respects the level', () => {
    const { lines, logger } = captureLogs('worker', 'warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});

describe('correlationIdFrom', () => {
  it('keeps a well-formed caller id', () => {
    expect(correlationIdFrom('trace-123:abc')).toBe('trace-123:abc');
    expect(correlationIdFrom(['first', 'second'])).toBe('first');
  });

  it('replaces a missing or unsafe id with a fresh UUID', () => {
    const uuid = /^[0-9a-f-]{36}$/;
    expect(correlationIdFrom(undefined)).toMatch(uuid);
    expect(correlationIdFrom('bad id\nwith newline')).toMatch(uuid);
    expect(correlationIdFrom('x'.repeat(129))).toMatch(uuid);
  });
});
