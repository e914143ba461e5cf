/**
 * The run's real PostgreSQL server (started once by test/global-postgres.ts) for test files: a fresh database per
 * test or per file, and servers of a file's own for tests that stop or restart one.
 *
 * Test files run in parallel on the shared server, so a test that restarts a server must use its own
 * (`privateServerPerFile()`): restarting the shared one would break whichever other file is querying it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { serverFromTemplate, startCluster, stopCluster, type PostgresServerInfo } from '../global-postgres.js';

export type { PostgresServerInfo } from '../global-postgres.js';

/** The shared server's connection details, folders and account, as the global setup provided them. */
export function serverInfo(): PostgresServerInfo {
  return inject('postgres');
}

/** Runs `work` with a connection of its own to the server's `postgres` database. */
async function withAdmin<T>(server: PostgresServerInfo, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database no other test uses, and how to remove it. */
export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  /** Ends its sessions (an app's pool included) and drops it. */
  drop(): Promise<void>;
}

/** Creates an empty database `t_<pid>_<random>` on `server` (the shared one by default). */
export async function freshDatabase(server: PostgresServerInfo = serverInfo()): Promise<FreshDatabase> {
  const name = `t_${process.pid}_${randomBytes(6).toString('hex')}`;
  // The name is ours, [a-z0-9_] only: identifiers cannot be bound as parameters.
  await withAdmin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgres://${new URL(server.adminUrl).username}@${server.host}:${server.port}/${name}`,
    drop: () =>
      withAdmin(server, async (c) => {
        const { rows } = await c.query<{ v: string }>('SHOW server_version_num');
        // FORCE (PostgreSQL 13+) ends the sessions and drops in one step: a pool reconnecting cannot slip between.
        if (Number(rows[0]!.v) >= 130000) {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          return;
        }
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}

/** What `databasePerTest()` and `databasePerFile()` return: read `.url` inside a test or hook. */
export interface DatabaseHandle {
  readonly url: string;
  readonly name: string;
}

function databaseHooks(
  before: (hook: () => Promise<void>) => void,
  after: (hook: () => Promise<void>) => void,
  server: () => PostgresServerInfo,
): DatabaseHandle {
  let db: FreshDatabase | undefined;
  before(async () => {
    db = await freshDatabase(server());
  });
  after(async () => {
    await db?.drop();
    db = undefined;
  });
  const current = (): FreshDatabase => {
    if (!db) throw new Error('The database exists only inside a test and its hooks.');
    return db;
  };
  return {
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
  };
}

/** A fresh database for each test of the calling file, dropped after it. `server` defaults to the shared one. */
export function databasePerTest(server: () => PostgresServerInfo = serverInfo): DatabaseHandle {
  return databaseHooks(beforeEach, afterEach, server);
}

/** One fresh database for all the tests of the calling file, dropped after the last. */
export function databasePerFile(server: () => PostgresServerInfo = serverInfo): DatabaseHandle {
  return databaseHooks(beforeAll, afterAll, server);
}

let privateCount = 0;
/** The calling file's server from `privateServerPerFile()`: module state is per test file in vitest. */
let filePrivate: PostgresServerInfo | undefined;

/**
 * A server of the calling test file's own, copied from the run's template cluster (~0.3 s: no initdb) onto a free
 * port. Stop it with `stopServer(info)`; the global teardown stops any left running.
 */
export async function startPrivateServer(): Promise<PostgresServerInfo> {
  const { binDir, runDir, runAs } = serverInfo();
  const server = await serverFromTemplate({ binDir, runDir, runAs }, `private-${process.pid}-${++privateCount}`);
  await withAdmin(server, (c) => c.query(`CREATE DATABASE ${new URL(server.url).pathname.slice(1)}`));
  return server;
}

/** A private server for the calling file: started before its first test, stopped after its last. Read `.info`. */
export function privateServerPerFile(): { readonly info: PostgresServerInfo } {
  let server: PostgresServerInfo | undefined;
  beforeAll(async () => {
    server = filePrivate = await startPrivateServer();
  }, 30_000);
  afterAll(async () => {
    if (server) await stopServer(server);
    server = filePrivate = undefined;
  });
  return {
    get info() {
      if (!server) throw new Error('The private server runs only inside the tests and hooks of its file.');
      return server;
    },
  };
}

/**
 * Stops a server if it runs: `fast` ends the sessions and checkpoints (a clean shutdown); `immediate` is a crash,
 * recovered from the WAL at the next start.
 */
export async function stopServer(server: PostgresServerInfo, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  if (existsSync(join(server.dataDir, 'postmaster.pid'))) await stopCluster(server, mode);
}

/**
 * Stops a server (`pg_ctl stop -m fast` unless `mode` says `immediate`; clients see their connections end), keeps it
 * down `downMs`, and starts it again on the same port, as the same account, with the same data. `server` defaults
 * to the calling file's `privateServerPerFile()`; the shared server is refused (see the top of this file).
 */
export async function restartServer(options: {
  downMs: number;
  server?: PostgresServerInfo;
  mode?: 'fast' | 'immediate';
}): Promise<void> {
  const server = options.server ?? filePrivate;
  if (!server || server.dataDir === serverInfo().dataDir) {
    throw new Error(
      'restartServer needs a private server (privateServerPerFile): other test files use the shared one.',
    );
  }
  await stopServer(server, options.mode);
  await sleep(options.downMs);
  await startCluster(server);
}
