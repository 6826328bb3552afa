import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidQueryString } from './http-error.js';

/**
 * The query string, parsed strictly. Fastify's parser (fast-querystring) keeps an escape it
 * cannot decode as its literal text (`title=%FF` became the title "%FF") and turns a repeated
 * name into an array that each schema then misreads (`limit=1&limit=2` was "received NaN").
 * Here both are refused with a 400 naming the parameter. The router calls the parser, where a
 * throw would escape Fastify's error handling, so the parser only records the problem and an
 * onRequest hook answers it.
 */

const PROBLEM = Symbol('query-string-problem');

interface QueryProblem {
  readonly parameter: string;
  readonly message: string;
}

type ParsedQuery = Record<string, string> & { [PROBLEM]?: QueryProblem };

function decodeComponent(text: string): string | undefined {
  try {
    // application/x-www-form-urlencoded: + is a space; decodeURIComponent refuses bytes that are not UTF-8
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Names as a client wrote them, cut short: they are echoed in the answer. */
function shown(name: string): string {
  return name.length > 60 ? `${name.slice(0, 60)}...` : name;
}

/** `a=1&b=x%20y` → `{a: '1', b: 'x y'}` (no prototype); a problem is recorded, never thrown. */
export function parseQueryString(text: string): ParsedQuery {
  const query = Object.create(null) as ParsedQuery;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const name = decodeComponent(rawName);
    const value = decodeComponent(equals < 0 ? '' : pair.slice(equals + 1));
    let problem: QueryProblem | undefined;
    if (name === undefined) problem = { parameter: shown(rawName), message: 'the name is not valid percent-encoded UTF-8' };
    else if (value === undefined) problem = { parameter: shown(name), message: 'is not valid percent-encoded UTF-8' };
    else if (Object.hasOwn(query, name)) problem = { parameter: shown(name), message: 'must be given once in the query string' };
    if (problem !== undefined) {
      query[PROBLEM] = problem;
      return query;
    }
    query[name as string] = value as string;
  }
  return query;
}

/** Answers a request whose query string `parseQueryString` found a problem in: 400 naming the parameter. */
export function installQueryStringChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const problem = (request.query as ParsedQuery | undefined)?.[PROBLEM];
    if (problem === undefined) return;
    throw invalidQueryString([{ path: problem.parameter, message: problem.message }]);
  });
}

/**
 * Every documented route refuses query parameters its schema does not name (a route without a
 * querystring schema takes none): `?qury=x` or `?q[]=a` silently returned the unfiltered list.
 * Done by making each route's querystring schema strict before Fastify compiles it; the error
 * handler words zod's "unrecognized keys" (errors.ts). Hidden routes (the docs UI) are left alone.
 */
export function refuseUnknownQueryParameters(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { querystring?: unknown; hide?: boolean } | undefined;
    if (schema === undefined || schema.hide === true) return;
    const query = schema.querystring ?? z.object({});
    if (query instanceof z.ZodObject) schema.querystring = query.strict();
  });
}

/** The names a route's querystring schema takes (after refuseUnknownQueryParameters, a zod object). */
export function queryParameterNames(querystringSchema: unknown): string[] {
  return querystringSchema instanceof z.ZodObject ? Object.keys(querystringSchema.shape) : [];
}
