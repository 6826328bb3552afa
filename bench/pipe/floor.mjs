// The pipe task's floor: start node, connect to PostgreSQL, insert one row, exit. Plain
// JavaScript, so nothing but node itself loads (the worker bundle is plain JavaScript too).
import pg from 'pg';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query('INSERT INTO pipe_floor (body) VALUES ($1)', [process.env.SQS_BODY]);
await client.end();
