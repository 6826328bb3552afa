import { connect } from 'node:net';

/** What came back over a raw connection: the parsed head and body, or nothing. */
export interface RawAnswer {
  /** The status code, or undefined when the server closed the connection without an answer. */
  readonly statusCode: number | undefined;
  /** Header names in lowercase; the last value when one repeats. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Everything received, for messages. */
  readonly raw: string;
}

export interface RawRequestOptions {
  /**
   * Destroy the connection after writing (a client that aborts mid-request) instead of waiting.
   * @default false
   */
  readonly abort?: boolean;
  /**
   * Longest wait for the first answer before giving up (the request may be incomplete on
   * purpose: the server then waits for the rest, and the answer is `statusCode: undefined`).
   * @default 2_000
   */
  readonly timeoutMs?: number;
  /**
   * The request is a HEAD: its answer ends with the headers, whatever Content-Length says.
   * @default false
   */
  readonly head?: boolean;
}

/**
 * Sends bytes exactly as given over a new TCP connection and reads the first answer: requests
 * no HTTP client would send (a bad method, two Content-Lengths, a missing Host, broken chunks).
 */
export function rawRequest(port: number, request: string | Buffer, options: RawRequestOptions = {}): Promise<RawAnswer> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(withoutInterim(Buffer.concat(chunks).toString('utf8')), options.head ?? false));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(withoutInterim(Buffer.concat(chunks).toString('utf8')), options.head ?? false)) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(request, () => {
      if (options.abort) {
        socket.destroy();
        finish();
      }
    });
  });
}

/** Drops 1xx answers (100 Continue) that come before the real one. */
function withoutInterim(text: string): string {
  let rest = text;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest) && rest.includes('\r\n\r\n')) rest = rest.slice(rest.indexOf('\r\n\r\n') + 4);
  return rest;
}

function isComplete(text: string, head: boolean): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  if (head || /^HTTP\/1\.[01] (204|304) /.test(text)) return true;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  if (length !== null) return Buffer.byteLength(text.slice(end + 4)) >= Number(length[1]);
  // chunked: the last chunk
  return /\r\ntransfer-encoding: *chunked/i.test(text.slice(0, end)) ? text.endsWith('0\r\n\r\n') : false;
}

function parseAnswer(raw: string, head: boolean): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  if (end < 0 || status === null) return { statusCode: undefined, headers: {}, body: '', raw };
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // only this answer's body: what follows may be the answer to leftover bytes read as a request
  let body = head ? '' : raw.slice(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = Buffer.from(body, 'utf8').subarray(0, Number(headers['content-length'])).toString('utf8');
  return { statusCode: Number(status[1]), headers, body, raw };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (line < 0 || !Number.isFinite(size) || size === 0) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}
