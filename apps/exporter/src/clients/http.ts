import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorResponseSchema } from '@docflow/contracts';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  readonly maxAttempts: number;
  /** How long one try may take, body included. */
  readonly timeoutMs: number;
  /**
   * First back-off; it doubles per retry, with jitter, up to maxDelayMs.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /** @default 20_000 */
  readonly maxDelayMs?: number;
}

/** A try that failed in a way worth another try, as it is reported on the terminal. */
export interface RetryNotice {
  readonly service: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly problem: string;
}

/** The service refused the API key: no retry can help. */
export class ApiKeyRefusedError extends Error {
  override readonly name = 'ApiKeyRefusedError';

  constructor(
    readonly service: string,
    readonly baseUrl: string,
    readonly status: number,
  ) {
    super(`${service} at ${baseUrl} refused the API key (${status}): set DOCFLOW_API_KEY to a key it accepts`);
  }
}

/** A request that kept failing (5xx, timeouts, no connection) through every attempt. */
export class GaveUpError extends Error {
  override readonly name = 'GaveUpError';

  constructor(
    readonly service: string,
    readonly baseUrl: string,
    readonly attempts: number,
    readonly lastProblem: string,
  ) {
    super(`${service} at ${baseUrl} did not answer after ${attempts} attempts (last: ${lastProblem})`);
  }
}

/** An answer that retrying cannot change (a 4xx other than the key, or an answer outside the contract). */
export class RequestRefusedError extends Error {
  override readonly name = 'RequestRefusedError';

  constructor(
    readonly service: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses that say "try again": timeouts, throttling and every 5xx. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * One service reached over HTTP with an API key. Every call retries what may pass (5xx, timeouts,
 * refused or dropped connections) with exponential back-off and jitter, honouring Retry-After;
 * what cannot pass fails at once with a typed error.
 */
export class ServiceClient {
  private retryCount = 0;

  constructor(
    readonly service: string,
    readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly policy: RetryPolicy,
    private readonly onRetry: (notice: RetryNotice) => void = () => undefined,
  ) {}

  /** Retries so far, over every call. */
  get retries(): number {
    return this.retryCount;
  }

  /**
   * Sends a request and reads its answer with `read`, within one try: a body cut off halfway is
   * retried like a failed request. `accept` lists non-2xx statuses that `read` handles itself (404).
   */
  async request<T>(
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> },
    read: (response: Response) => Promise<T>,
    accept: readonly number[] = [],
  ): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    const baseDelayMs = this.policy.baseDelayMs ?? 500;
    const maxDelayMs = this.policy.maxDelayMs ?? 20_000;
    for (let attempt = 1; ; attempt += 1) {
      let retryAfterMs: number | undefined;
      let problem: string;
      try {
        const response = await fetch(url, {
          method: init.method ?? 'GET',
          headers: { 'x-api-key': this.apiKey, ...init.headers },
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        });
        if (response.ok || accept.includes(response.status)) return await read(response);
        if (response.status === 401 || response.status === 403) {
          await response.body?.cancel();
          throw new ApiKeyRefusedError(this.service, this.baseUrl, response.status);
        }
        const message = await errorMessage(response);
        if (!isRetryableStatus(response.status)) {
          throw new RequestRefusedError(this.service, response.status, `${this.service} answered ${response.status} to ${init.method ?? 'GET'} ${path}: ${message}`);
        }
        problem = `${response.status} ${message}`;
        retryAfterMs = retryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof ApiKeyRefusedError || error instanceof RequestRefusedError) throw error;
        problem = describeFailure(error, this.policy.timeoutMs);
      }
      if (attempt >= this.policy.maxAttempts) throw new GaveUpError(this.service, this.baseUrl, attempt, problem);
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.min(maxDelayMs, retryAfterMs ?? Math.round(backoff * (0.5 + Math.random() / 2)));
      this.retryCount += 1;
      this.onRetry({ service: this.service, attempt, delayMs, problem });
      await sleep(delayMs);
    }
  }
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    return ErrorResponseSchema.parse(JSON.parse(text)).message;
  } catch {
    return response.statusText || 'no message';
  }
}

function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : undefined;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, message, cause } = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return cause?.code ?? cause?.message ?? message ?? String(error);
}
