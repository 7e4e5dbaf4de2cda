/** The real database servers of the machine (issue 15): connection settings, and whether they answer. */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { requireServices } from './services.js';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
export const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

/** Whether `check` connects; with REQUIRE_SERVICES=1 a server that does not answer is a failure, not a skip. */
async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    if (requireServices) throw new Error('a database server the tests need does not answer');
    return false;
  }
}

export const postgresAnswers = () =>
  answers(async () => {
    const client = new pg.Client(PG);
    await client.connect();
    await client.end();
  });

export const mariadbAnswers = () => answers(async () => (await mysql.createConnection(MY)).end());

/** A PostgreSQL client as the server's owner, with a fresh schema of the test's own (drop it with dropSchema). */
export async function scratchSchema(schema: string): Promise<pg.Client> {
  const admin = new pg.Client(PG);
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return admin;
}

export async function dropSchema(admin: pg.Client | undefined, schema: string): Promise<void> {
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin?.end();
}
