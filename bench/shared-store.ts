/**
 * Two instances on one PostgreSQL database behind a loopback round-robin proxy (issue 17), under the same signed
 * /compare load as the HTTP bench, in alternating rounds with one instance on PostgreSQL and one on SQLite; and the
 * cost per call of each piece the instances share, measured against the store in a loop: the replay guard
 * (admitOnce), the rate limit (takeToken), a settings read that misses the cache, a saveQuery. The server is a
 * private one started as the tests start theirs (test/global-postgres.ts); without PostgreSQL this part is
 * skipped, saying why. Runs alone with `npx tsx bench/shared-store.ts`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { TestProject } from 'vitest/node';
import { DEFAULT_SETTINGS } from '../src/store/settings-schema.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/store.js';
import startPostgres, { type PostgresServerInfo } from '../test/global-postgres.js';
import { command, signBody, testKeys } from '../test/discord/helpers.js';
import { stats } from './core.js';
import { CONNECTIONS, DURATION_S, LOAD_QUERY } from './http.js';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const NODE_FLAGS = ['--max-semi-space-size=2'];
export const SHARED_ROUNDS = Number(process.env.BENCH_SHARED_ROUNDS ?? 5);
/** Calls per piece in the store loop (after 200 unmeasured). */
export const STORE_CALLS = Number(process.env.BENCH_STORE_CALLS ?? 2000);
const WARMUP_S = 3;

type Keys = ReturnType<typeof testKeys>;
export interface LoadFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  /** CPU of every process serving the load (instances, proxy, PostgreSQL) per answered request. */
  cpuMicros: number;
  /** The same, by kind of process. */
  cpuBy: Record<string, number>;
}
export interface CallFigures {
  name: string;
  median: number;
  p99: number;
  /** This process's CPU (the client: pg's protocol work) per call. */
  clientCpu: number;
  /** The PostgreSQL backend's CPU per call; undefined on SQLite. */
  serverCpu: number | undefined;
}
export type SharedStoreFigures =
  | { skipped: string }
  | { two: LoadFigures; onePg: LoadFigures; oneSqlite: LoadFigures; rounds: number; calls: CallFigures[] };

let seq = 0;
const options = Object.fromEntries(
  Object.entries(LOAD_QUERY).map(([k, v]) => [k === 'contextTokens' ? 'context' : k, v as string | number]),
);
/** A freshly signed /compare of the HTTP bench's question, from one of 100 members. */
function signedRequest(k: Keys) {
  seq++;
  const body = JSON.stringify(
    command('compare', options, { user: `55555555555555${String(seq % 100).padStart(4, '0')}` }),
  );
  return { method: 'POST' as const, path: '/discord/interactions', body, headers: signBody(k.privateKey, body) };
}

/** CPU seconds (user + system) a process has used so far, 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** The postmaster and its children (the backends, the checkpointer, ...). */
function postgresPids(server: PostgresServerInfo): number[] {
  const postmaster = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    });
  return [postmaster, ...children];
}

/** The processes serving a setup, by kind ("whichgpu", "proxy", "PostgreSQL"). */
type Serving = () => Record<string, number[]>;
const cpuOf = (groups: Record<string, number[]>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(groups).map(([kind, pids]) => [kind, pids.reduce((s, pid) => s + cpuSeconds(pid), 0)]),
  );

async function load(url: string, k: Keys, serving: Serving, duration = DURATION_S): Promise<LoadFigures> {
  const groups = serving();
  const before = cpuOf(groups);
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      { method: 'POST', path: '/discord/interactions', setupRequest: (req) => ({ ...req, ...signedRequest(k) }) },
    ],
  });
  const after = cpuOf(groups);
  const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, r.requests.total);
  const cpuBy = Object.fromEntries(Object.keys(groups).map((kind) => [kind, perRequest(after[kind]! - before[kind]!)]));
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
    cpuMicros: Object.values(cpuBy).reduce((a, b) => a + b, 0),
    cpuBy,
  };
}

function medianRound(runs: LoadFigures[]): LoadFigures {
  const mid = [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
  return {
    ...mid,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    total: runs.reduce((n, r) => n + r.total, 0),
    cpuMicros: stats(runs.map((r) => r.cpuMicros)).median,
    cpuBy: Object.fromEntries(
      Object.keys(mid.cpuBy).map((kind) => [kind, stats(runs.map((r) => r.cpuBy[kind]!)).median]),
    ),
  };
}

function waitForPort(child: ChildProcess, re: RegExp): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no port within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
  });
}

/** A built instance (dist/main.js, as npm start runs it) on the store `database` names. */
async function instance(k: Keys, database: Record<string, string>) {
  const child = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TRANSPORT: 'http',
      DISCORD_PUBLIC_KEY: k.publicKeyHex,
      DISCORD_TOKEN: 'bench',
      PORT: '0',
      LOG_LEVEL: 'info',
      MODEL_LOOKUP: 'off',
      // The store's cost per answer, as before charts (the HTTP bench measures them).
      CHARTS: 'off',
      RATE_LIMIT_USER_BURST: '1000',
      RATE_LIMIT_USER_PER_MINUTE: '10000',
      RATE_LIMIT_SERVER_BURST: '100000',
      RATE_LIMIT_SERVER_PER_MINUTE: '1000000',
      ...database,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, port: await waitForPort(child, /"port":(\d+)/) };
}

/** Median and p99 µs of `call` over STORE_CALLS calls, with this process's and the backend's CPU per call. */
async function perCall(
  name: string,
  call: (i: number) => Promise<unknown>,
  backendPid: number | undefined,
): Promise<CallFigures> {
  for (let i = 0; i < 200; i++) await call(-1 - i);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const server = backendPid ? cpuSeconds(backendPid) : 0;
  for (let i = 0; i < STORE_CALLS; i++) {
    const t = performance.now();
    await call(i);
    times.push((performance.now() - t) * 1000);
  }
  const used = process.cpuUsage(cpu);
  const s = stats(times);
  return {
    name,
    median: s.median,
    p99: s.p99,
    clientCpu: (used.user + used.system) / STORE_CALLS,
    serverCpu: backendPid ? ((cpuSeconds(backendPid) - server) * 1e6) / STORE_CALLS : undefined,
  };
}

/** Each shared piece against a store of one connection (so its backend's CPU is the piece's), then SQLite's. */
async function storeCalls(url: string, dir: string): Promise<CallFigures[]> {
  const pgStore = await PostgresStore.open(url, { poolSize: 1 });
  const sqlite = SqliteStore.open(join(dir, 'calls.sqlite'));
  try {
    const pid = (await pgStore.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const run = Date.now();
    const spec = { user: { capacity: 1e6, perMinute: 1e6 }, server: { capacity: 1e9, perMinute: 1e9 } };
    const later = new Date(Date.now() + 600_000);
    const rows: CallFigures[] = [];
    rows.push(await perCall('a round trip: SELECT 1', () => pgStore.pool.query('SELECT 1'), pid));
    rows.push(
      await perCall('replay guard: admitOnce (a new signature)', (i) => pgStore.admitOnce(`b:${run}:${i}`, later), pid),
    );
    rows.push(
      await perCall(
        'rate limit: takeToken (user and server bucket)',
        (i) => pgStore.takeToken(`u${i % 100}`, 'guild', spec),
        pid,
      ),
    );
    // Every server read once: each read misses the cache and reads the database.
    for (let i = -200; i < STORE_CALLS; i++)
      await pgStore.saveSettings('discord', `s${run}:${i}`, { ...DEFAULT_SETTINGS, hours: 10 }, 'bench');
    const cold = await PostgresStore.open(url, { poolSize: 1 });
    try {
      const coldPid = (await cold.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      rows.push(await perCall('settings read, cache miss', (i) => cold.settings('discord', `s${run}:${i}`), coldPid));
    } finally {
      await cold.close();
    }
    rows.push(await perCall('saveQuery (a new question)', (i) => pgStore.saveQuery({ model: 'bench', run, i }), pid));
    for (let i = -200; i < STORE_CALLS; i++)
      await sqlite.saveSettings('discord', `s${i}`, { ...DEFAULT_SETTINGS, hours: 10 }, 'bench');
    const sqliteCold = SqliteStore.open(join(dir, 'calls.sqlite'));
    try {
      rows.push(
        await perCall('SQLite: settings read, cache miss', (i) => sqliteCold.settings('discord', `s${i}`), undefined),
      );
    } finally {
      sqliteCold.close();
    }
    rows.push(
      await perCall(
        'SQLite: saveQuery (a new question)',
        (i) => sqlite.saveQuery({ model: 'bench', run, i }),
        undefined,
      ),
    );
    return rows;
  } finally {
    await pgStore.close();
    sqlite.close();
  }
}

/** `build: false` when dist/ was just built (the HTTP bench builds it). */
export async function sharedStoreBench(o: { build?: boolean } = {}): Promise<SharedStoreFigures> {
  let server: PostgresServerInfo | undefined;
  let stopPostgres: () => Promise<void>;
  try {
    stopPostgres = await startPostgres({
      provide: (_key: string, info: PostgresServerInfo) => (server = info),
    } as unknown as TestProject);
  } catch (e) {
    return { skipped: (e as Error).message.split('\n')[0]! };
  }
  const pg = server!;
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-bench-shared-'));
  const children: ChildProcess[] = [];
  try {
    if (o.build !== false) execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
    const k = testKeys();
    const a = await instance(k, { DATABASE_URL: pg.url });
    const b = await instance(k, { DATABASE_URL: pg.url });
    const lite = await instance(k, { DATABASE_PATH: join(dir, 'db.sqlite') });
    children.push(a.child, b.child, lite.child);
    const proxy = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'round-robin.ts'), String(a.port), String(b.port)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(proxy);
    const proxyPort = await waitForPort(proxy, /port (\d+)/);
    const at = (port: number) => `http://127.0.0.1:${port}`;
    const configs = {
      two: {
        url: at(proxyPort),
        serving: () => ({ whichgpu: [a.child.pid!, b.child.pid!], proxy: [proxy.pid!], PostgreSQL: postgresPids(pg) }),
      },
      onePg: { url: at(a.port), serving: () => ({ whichgpu: [a.child.pid!], PostgreSQL: postgresPids(pg) }) },
      oneSqlite: { url: at(lite.port), serving: () => ({ whichgpu: [lite.child.pid!] }) },
    };
    for (const c of Object.values(configs)) await load(c.url, k, c.serving, WARMUP_S);
    const runs = { two: [] as LoadFigures[], onePg: [] as LoadFigures[], oneSqlite: [] as LoadFigures[] };
    // Alternating, so background noise on a shared machine hits each alike.
    for (let round = 0; round < SHARED_ROUNDS; round++)
      for (const [name, c] of Object.entries(configs))
        runs[name as keyof typeof runs].push(await load(c.url, k, c.serving));
    for (const child of children) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    children.length = 0;
    return {
      two: medianRound(runs.two),
      onePg: medianRound(runs.onePg),
      oneSqlite: medianRound(runs.oneSqlite),
      rounds: SHARED_ROUNDS,
      calls: await storeCalls(pg.url, dir),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await stopPostgres();
    rmSync(dir, { recursive: true, force: true });
  }
}

const us = (x: number) => (x < 1000 ? `${x.toFixed(0)} µs` : `${(x / 1000).toFixed(2)} ms`);

/** The report's lines; `ceiling` is the HTTP bench's bare node:http + Ed25519 verify, when it ran. */
export function sharedStoreLines(f: SharedStoreFigures, ceiling?: { rps: number; p50: number; p99: number }): string[] {
  if ('skipped' in f) return [`Skipped: no PostgreSQL server could be started (${f.skipped}).`];
  const row = (name: string, r: LoadFigures) =>
    `| ${name} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${us(r.cpuMicros)} (${Object.entries(r.cpuBy)
      .map(([kind, x]) => `${kind} ${us(x)}`)
      .join(', ')}) | ${r.errors} of ${r.total} (all rounds) |`;
  return [
    '| setup | req/s | p50 | p99 | CPU per request, every serving process | errors + non-2xx |',
    '| --- | --- | --- | --- | --- | --- |',
    row('two instances on one PostgreSQL, round-robin proxy', f.two),
    row('one instance on PostgreSQL', f.onePg),
    row('one instance on SQLite', f.oneSqlite),
    ...(ceiling
      ? [
          `| ceiling (HTTP bench above): bare node:http + Ed25519 verify | ${ceiling.rps.toFixed(0)} | ${ceiling.p50} ms | ${ceiling.p99} ms | | |`,
        ]
      : []),
    '',
    `two instances / one on SQLite: ${(f.two.rps / f.oneSqlite.rps).toFixed(2)} · one on PostgreSQL / one on SQLite: ${(f.onePg.rps / f.oneSqlite.rps).toFixed(2)}` +
      (ceiling ? ` · two instances / ceiling: ${(f.two.rps / ceiling.rps).toFixed(2)}` : ''),
    '',
    `Each shared piece against the store, one call at a time on one connection (${STORE_CALLS} calls):`,
    '',
    '| call | median | p99 | client CPU per call | PostgreSQL backend CPU per call |',
    '| --- | --- | --- | --- | --- |',
    ...f.calls.map(
      (c) =>
        `| ${c.name} | ${us(c.median)} | ${us(c.p99)} | ${us(c.clientCpu)} | ${c.serverCpu === undefined ? '(in process)' : us(c.serverCpu)} |`,
    ),
  ];
}

export const sharedStoreHeading = (): string =>
  `## Shared store: two instances on one PostgreSQL behind a round-robin proxy (signed /compare, ${CONNECTIONS} connections, ${SHARED_ROUNDS} alternating rounds of ${DURATION_S} s, loopback; the median round shown)`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`\n${sharedStoreHeading()}\n`);
  for (const line of sharedStoreLines(await sharedStoreBench())) console.log(line);
}
