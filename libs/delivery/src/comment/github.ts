import { readFileSync } from 'node:fs';
import { DeliveryError } from '../errors.js';
import { COMMENT_MARKER } from './render.js';

/** Where the sticky comment goes. */
export interface CommentTarget {
  /** `owner/name` */
  readonly repository: string;
  /** Pull request (issue) number. */
  readonly issue: number;
  readonly token: string;
  /** REST API root. @default https://api.github.com (GITHUB_API_URL in Actions) */
  readonly apiUrl?: string;
}

export interface CommentResult {
  readonly action: 'created' | 'updated';
  readonly id: number;
}

interface IssueComment {
  readonly id: number;
  readonly body?: string;
}

async function call<T>(target: CommentTarget, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${target.apiUrl ?? 'https://api.github.com'}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${target.token}`,
      'x-github-api-version': '2022-11-28',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) {
    const text = await response.text();
    throw new DeliveryError(`GitHub answered ${response.status} to ${method} ${path}: ${text.slice(0, 300)}`);
  }
  return (await response.json()) as T;
}

/**
 * The one sticky comment: the pull request's comment carrying the hidden marker is updated in
 * place; without one, a comment is created.
 */
export async function upsertComment(target: CommentTarget, body: string): Promise<CommentResult> {
  if (!body.includes(COMMENT_MARKER)) throw new DeliveryError('the comment has no marker: render it with renderPlanComment');
  const base = `/repos/${target.repository}/issues`;
  for (let page = 1; ; page++) {
    const comments = await call<IssueComment[]>(target, 'GET', `${base}/${target.issue}/comments?per_page=100&page=${page}`);
    const existing = comments.find((comment) => comment.body?.includes(COMMENT_MARKER));
    if (existing) {
      await call(target, 'PATCH', `${base}/comments/${existing.id}`, { body });
      return { action: 'updated', id: existing.id };
    }
    if (comments.length < 100) break;
  }
  const created = await call<IssueComment>(target, 'POST', `${base}/${target.issue}/comments`, { body });
  return { action: 'created', id: created.id };
}

/**
 * The target from GitHub Actions' environment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL and
 * the pull request number from the event), or a message naming what is missing.
 */
export function commentTargetFromEnvironment(vars: NodeJS.ProcessEnv, issue?: number): CommentTarget {
  const token = vars['GITHUB_TOKEN'];
  const repository = vars['GITHUB_REPOSITORY'];
  let number = issue;
  if (number === undefined && vars['GITHUB_EVENT_PATH']) {
    const event = JSON.parse(readFileSync(vars['GITHUB_EVENT_PATH'], 'utf8')) as { pull_request?: { number?: number }; number?: number };
    number = event.pull_request?.number ?? event.number;
  }
  const missing = [!token && 'GITHUB_TOKEN', !repository && 'GITHUB_REPOSITORY', number === undefined && 'the pull request number (--pr, or GITHUB_EVENT_PATH of a pull_request event)'].filter(Boolean);
  if (missing.length > 0) throw new DeliveryError(`posting the comment needs ${missing.join(', ')}`);
  return { repository: repository as string, issue: number as number, token: token as string, ...(vars['GITHUB_API_URL'] ? { apiUrl: vars['GITHUB_API_URL'] } : {}) };
}
