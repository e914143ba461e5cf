import { statSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databasePerTest, freshDatabase, privateServerPerFile, restartServer, serverInfo } from './postgres.js';

/** Connects, runs `sql`, disconnects; rejects when the server cannot be reached. */
async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the shared PostgreSQL server', () => {
  const db = databasePerTest();

  it('runs on loopback, as the unprivileged account when the tests run as root', async () => {
    const info = serverInfo();
    expect(info.host).toBe('127.0.0.1');
    expect(new URL(info.url).port).toBe(String(info.port));
    if (process.getuid?.() === 0) {
      expect(info.runAs?.user).toMatch(/^(postgres|nobody)$/);
      expect(statSync(info.dataDir).uid).toBe(info.runAs?.uid);
    } else expect(info.runAs).toBeNull();
    const [settings] = await query<{ fsync: string; max: string }>(
      info.url,
      "SELECT current_setting('fsync') AS fsync, current_setting('max_connections') AS max",
    );
    expect(settings).toEqual({ fsync: 'on', max: '200' });
  });

  it('gives each test a database of its own, to create tables in', async () => {
    await query(db.url, 'CREATE TABLE pins (id int PRIMARY KEY, label text NOT NULL)');
    await query(db.url, "INSERT INTO pins VALUES (1, 'rtx-5090'), (2, 'mac-studio')");
    expect(await query(db.url, 'SELECT label FROM pins ORDER BY id')).toEqual([
      { label: 'rtx-5090' },
      { label: 'mac-studio' },
    ]);
    const [row] = await query<{ n: string }>(
      db.url,
      "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 't\\_%'",
    );
    expect(Number(row!.n)).toBeGreaterThanOrEqual(1);
  });

  it('drops a fresh database even while a client is still connected to it', async () => {
    const fresh = await freshDatabase();
    const client = new pg.Client({ connectionString: fresh.url });
    const ended = new Promise((resolve) => client.on('error', resolve));
    await client.connect();
    await fresh.drop();
    await ended;
    const left = await query(serverInfo().adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${fresh.name}'`);
    expect(left).toEqual([]);
  });

  it('refuses to restart the shared server, which other test files are using', async () => {
    await expect(restartServer({ downMs: 0, server: serverInfo() })).rejects.toThrow(/private server/);
  });
});

describe('a private server restarting', () => {
  const server = privateServerPerFile();

  it('fails a query while it is down, and answers again with the data kept once it is back', async () => {
    const db = await freshDatabase(server.info);
    await query(db.url, 'CREATE TABLE pins (id int PRIMARY KEY)');
    await query(db.url, 'INSERT INTO pins VALUES (1)');

    const idle = new pg.Client({ connectionString: db.url });
    const dropped = new Promise<Error>((resolve) => idle.on('error', resolve));
    await idle.connect();

    const restarted = restartServer({ downMs: 1000 });
    expect((await dropped).message).toMatch(/terminat/i);
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED|shutting down|starting up/);
    await restarted;

    expect(await query(db.url, 'SELECT id FROM pins')).toEqual([{ id: 1 }]);
    await idle.end().catch(() => undefined);
    await db.drop();
  });

  it('comes back from a crash (immediate shutdown) with every committed row', async () => {
    const db = await freshDatabase(server.info);
    await query(db.url, 'CREATE TABLE pins (id int PRIMARY KEY)');
    await query(db.url, 'INSERT INTO pins SELECT generate_series(1, 1000)');
    await restartServer({ downMs: 0, mode: 'immediate' });
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM pins')).toEqual([{ n: 1000 }]);
    await db.drop();
  });
});
