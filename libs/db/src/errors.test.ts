import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, localDatabaseHint } from './errors.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['pool wait timeout', new Error('timeout exceeded when trying to connect')],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['connection exception class 08', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['statement timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
  ])('is true for a %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['constraint violation', Object.assign(new Error('violates check constraint'), { code: '23514' })],
    ['plain error', new Error('something else')],
    ['non-error', 'ECONNREFUSED'],
  ])('is false for a %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('localDatabaseHint', () => {
  it('names where PostgreSQL did not answer and the variables that move it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54329'), { code: 'ECONNREFUSED' });
    expect(localDatabaseHint('postgres://docflow:x@127.0.0.1:54329/docflow', refused)).toBe(
      'PostgreSQL does not answer at 127.0.0.1:54329. Start the local environment (npm run local -- env, or npm start), ' +
        'or point DOCFLOW_POSTGRES_PORT (or DATABASE_URL) at the one that runs.',
    );
    expect(localDatabaseHint('postgres://127.0.0.1:5/d', new Error('syntax error at or near "x"'))).toBeUndefined();
  });
});
