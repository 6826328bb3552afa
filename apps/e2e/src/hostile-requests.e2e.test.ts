import { startTestDatabase, type TestDatabase } from '@docflow/db/testing';
import { rawRequest, type RawAnswer } from '@docflow/http/testing';
import { seededRandom, startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, environmentOf, errorLines, startBundle, type BundleProcess } from './bundles.js';
import { generate, type HostileRequest } from './hostile.js';

/** Requests per service: thousands in all, a few seconds on two cores. */
const REQUESTS_PER_SERVICE = 1_500;
const CONCURRENCY = 8;

let database: TestDatabase;
let emulator: TestEmulator;
const services: Record<'ingest' | 'api', BundleProcess> = {} as never;

beforeAll(async () => {
  [database, emulator] = await Promise.all([startTestDatabase(), startTestEmulator()]);
  const env = environmentOf(database.url, emulator);
  [services.ingest, services.api] = await Promise.all([startBundle('ingest', env), startBundle('api', env)]);
});

afterAll(async () => {
  await Promise.all(Object.values(services).map((service) => service?.stop()));
  await Promise.all([database?.close(), emulator?.stop()]);
});

interface Outcome {
  readonly request: HostileRequest;
  readonly answer: RawAnswer;
}

async function fire(port: number, requests: readonly HostileRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const request = requests[next++] as HostileRequest;
        // generous: on a loaded machine an honest answer may take seconds; only aborted requests go unanswered
        const answer = await rawRequest(port, request.bytes, { abort: request.abort, head: request.head, timeoutMs: 10_000 });
        outcomes.push({ request, answer });
      }
    }),
  );
  return outcomes;
}

/** What is wrong with an answer, or undefined when it is what a client deserves. */
function problemWith({ request, answer }: Outcome): string | undefined {
  if (request.abort) return undefined; // the client left: nobody to answer
  if (answer.statusCode === undefined) return 'no answer';
  if (answer.statusCode >= 500) return `answered ${answer.statusCode}`;
  if (answer.statusCode < 400 || request.head) return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return `${answer.statusCode} without a JSON body`;
  }
  if (body['statusCode'] !== answer.statusCode) return `${answer.statusCode} whose body says statusCode ${String(body['statusCode'])}`;
  if (typeof body['message'] !== 'string' || body['message'].length === 0) return `${answer.statusCode} without a message`;
  if (typeof body['requestId'] !== 'string' || typeof body['error'] !== 'string') return `${answer.statusCode} without requestId or error`;
  return undefined;
}

describe('generated hostile requests against the ingest and api bundles', () => {
  it.each(['ingest', 'api'] as const)('%s: no 5xx, every refusal in the error shape with a message, the process healthy after', async (name) => {
    const service = services[name];
    const next = seededRandom(name === 'ingest' ? 10 : 20);
    const requests = Array.from({ length: REQUESTS_PER_SERVICE }, () => generate(next, API_KEY));
    const outcomes = await fire(service.port, requests);

    const tally = new Map<string, number>();
    for (const { request, answer } of outcomes) {
      const key = request.abort ? 'aborted by the client' : String(answer.statusCode ?? 'no answer');
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // a figure for the issue note, not an assertion
    console.log(`${name}: ${outcomes.length} generated requests by answer: ${[...tally].sort().map(([key, count]) => `${key} ${count}`).join(', ')}`);

    const problems = outcomes
      .map((outcome) => ({ outcome, problem: problemWith(outcome) }))
      .filter((entry) => entry.problem !== undefined)
      .map(({ outcome, problem }) => `${problem}: ${outcome.request.bytes.toString('latin1').slice(0, 300)} => ${outcome.answer.raw.slice(0, 300)}`);
    expect(problems.slice(0, 5)).toEqual([]);
    expect(tally.size).toBeGreaterThan(5); // the generator reaches many kinds of answer

    expect(service.child.exitCode).toBeNull();
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(errorLines(service).map((line) => `${String(line['msg'])} ${JSON.stringify(line['err'] ?? '').slice(0, 300)}`)).toEqual([]);
    expect(service.otherLines.filter((line) => /^\s+at |Error/.test(line))).toEqual([]);
  });
});
