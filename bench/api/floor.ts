/**
 * The floor: bare Fastify and pg running the same search SQL as the api's DocumentsRepository
 * (websearch_to_tsquery, ts_rank, ts_headline on a bounded prefix, a page of `limit`), and
 * nothing else: no auth, validation, logging, cursor or excerpt escaping. run.ts checks that it
 * returns the same documents as the api before measuring either.
 *
 * Usage: DATABASE_URL=... PORT=... [DB_POOL_MAX=10] node --import tsx bench/api/floor.ts
 * (the variables the api reads for the same settings)
 */
import Fastify from 'fastify';
import pg from 'pg';

const { DATABASE_URL: url, PORT: port, DB_POOL_MAX: poolMax } = process.env;
if (!url || !port) throw new Error('DATABASE_URL and PORT are required');
const pool = new pg.Pool({ connectionString: url, max: Number(poolMax ?? 10) });

const SEARCH_SQL = `
WITH query AS (SELECT websearch_to_tsquery('english', $1) AS tsq)
SELECT d.id, d.url, d.content_type, d.title, d.status, d.sha256, d.size_bytes, d.received_at, d.processed_at, page.rank,
       ts_headline('english', translate(left(d.text, 10000), $3, ''), query.tsq, $4) AS headline
FROM (
  SELECT id, rank FROM (
    SELECT d.id, ts_rank(d.search, query.tsq, 1) AS rank FROM documents d CROSS JOIN query WHERE d.search @@ query.tsq
  ) matches
  ORDER BY rank DESC, id DESC
  LIMIT $2
) page
JOIN documents d USING (id) CROSS JOIN query
ORDER BY page.rank DESC, page.id DESC`;

const HEADLINE_OPTIONS = 'StartSel=\u0002, StopSel=\u0003, MaxWords=35, MinWords=15';

const app = Fastify();
app.get('/v1/documents', async (request) => {
  const { q, limit } = request.query as { q: string; limit?: string };
  const size = Number(limit ?? 20);
  const { rows } = await pool.query(SEARCH_SQL, [q, size + 1, '\u0002\u0003', HEADLINE_OPTIONS]);
  return { items: rows.slice(0, size), nextCursor: rows.length > size ? 'more' : null };
});
app.addHook('onClose', () => pool.end());

const address = await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write(`${JSON.stringify({ msg: 'listening', address })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
