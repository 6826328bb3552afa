/**
 * The floor: bare Fastify and pg running the same search as the api (DocumentSearch from
 * @docflow/db: the same SQL statements, in the same order) and nothing else: no auth,
 * validation, logging, correlation ids or response schemas. run.ts checks that it returns the same
 * documents as the api before measuring either.
 *
 * Usage: DATABASE_URL=... PORT=... [DB_POOL_MAX=10] node --import tsx bench/api/floor.ts
 * (the variables the api reads for the same settings)
 */
import { DocumentsRepository } from '@docflow/db';
import Fastify from 'fastify';
import pg from 'pg';

const { DATABASE_URL: url, PORT: port, DB_POOL_MAX: poolMax } = process.env;
if (!url || !port) throw new Error('DATABASE_URL and PORT are required');

const pool = new pg.Pool({ connectionString: url, max: Number(poolMax ?? 10) });
const documents = new DocumentsRepository(pool);

const app = Fastify();
app.get('/v1/documents', async (request) => {
  const { q, limit } = request.query as { q: string; limit?: string };
  return documents.list({ q, limit: Number(limit ?? 20) });
});
app.get('/v1/documents/:id', async (request, reply) => {
  const document = await documents.get((request.params as { id: string }).id);
  return document ?? reply.code(404).send({ message: 'not found' });
});
app.addHook('onClose', () => pool.end());

const address = await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write(`${JSON.stringify({ msg: 'listening', address })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
