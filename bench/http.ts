/**
 * Signed /compare requests against POST /discord/interactions under concurrent load (autocannon),
 * beside a ceiling measured in the same run (a bare node:http server that only verifies the
 * Ed25519 signature); cold start to a ready /healthz; resident memory after the load. Two
 * whichgpu servers take turns: with charts (the default; the answer is multipart with its PNG) and
 * with CHARTS=off (JSON, the bytes the ceiling returns). A last part asks a new question every
 * request, so each answer's chart has to be drawn: what charts cost when no cache helps.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { QUERIES, stats } from './core.js';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
/** The flags npm start runs the server with (package.json "start"). */
const NODE_FLAGS = ['--max-semi-space-size=2'];
/**
 * Many short alternating rounds rather than a few long ones: on a shared 2-core VM a single round
 * swings by +-0.1 in ratio, and adjacent short rounds see the same background load.
 */
export const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARMUP_S = 3;

type LoadResult = { rps: number; p99: number; p50: number; errors: number; total: number; charted: number };
/** The run with the median throughput; errors summed over all runs. */
function medianRun(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return { ...mid, errors: sum((r) => r.errors), total: sum((r) => r.total), charted: sum((r) => r.charted) };
}

function keys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, hex: der.subarray(der.length - 32).toString('hex') };
}

let seq = 0;
/**
 * The load repeats one question (a distinct, freshly signed interaction each time), so the
 * ceiling can return exactly the bytes whichgpu returns: the comparison is then about the work
 * behind the bytes, not their size.
 */
export const LOAD_QUERY = QUERIES[1]!;

/** `fresh`: hours a day unique to this request, so its verdict (and chart) is not in any cache. */
function compareBody(fresh = false): string {
  const q = fresh ? { ...LOAD_QUERY, hours: 1 + (seq % 200_000) / 10_000 } : LOAD_QUERY;
  seq++;
  return JSON.stringify({
    id: String(800000000000000000n + BigInt(seq)),
    application_id: '444444444444444444',
    type: 2,
    token: `bench-${seq}`,
    version: 1,
    guild_id: '111111111111111111',
    channel_id: '222222222222222222',
    channel: { id: '222222222222222222', type: 0 },
    app_permissions: '2251799813703680',
    member: { user: { id: `5555555555555555${seq % 100}`, username: 'bench' }, roles: [], permissions: '3072' },
    data: {
      id: '1',
      name: 'compare',
      type: 1,
      options: Object.entries(q).map(([name, value]) => ({
        name: name === 'contextTokens' ? 'context' : name,
        type: typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3,
        value,
      })),
    },
  });
}

function signedRequest(privateKey: ReturnType<typeof keys>['privateKey'], fresh = false) {
  const body = compareBody(fresh);
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    method: 'POST' as const,
    path: '/discord/interactions',
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature-timestamp': ts,
      'x-signature-ed25519': sign(null, Buffer.from(ts + body), privateKey).toString('hex'),
    },
  };
}

function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re}: ${buf}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m);
      }
    });
  });
}

async function load(
  url: string,
  privateKey: ReturnType<typeof keys>['privateKey'],
  duration = DURATION_S,
  fresh = false,
) {
  let charted = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/discord/interactions',
        setupRequest: (req) => ({ ...req, ...signedRequest(privateKey, fresh) }),
        // An answer with its chart is multipart, its first line the boundary.
        ...(fresh ? { onResponse: (_status: number, body: string) => void (charted += +body.startsWith('--')) } : {}),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
    charted,
  };
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One load round, with the server's CPU time per answered request. */
async function measured(url: string, pid: number, privateKey: ReturnType<typeof keys>['privateKey'], fresh = false) {
  const before = cpuSeconds(pid);
  const r = await load(url, privateKey, DURATION_S, fresh);
  return { ...r, cpuMicros: ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, r.total) };
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** The server's environment: Discord over HTTP, info logs, rate limits the load cannot reach, charts on or off. */
function serverEnv(
  publicKeyHex: string,
  databasePath: string,
  charts: 'on' | 'off' = 'on',
): Record<string, string | undefined> {
  return {
    CHARTS: charts,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: publicKeyHex,
    DISCORD_TOKEN: 'bench',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_PATH: databasePath,
    RATE_LIMIT_USER_BURST: '1000',
    RATE_LIMIT_USER_PER_MINUTE: '10000',
    RATE_LIMIT_SERVER_BURST: '100000',
    RATE_LIMIT_SERVER_PER_MINUTE: '1000000',
  };
}

/** Cold start, three times: spawn to the first 200 from /healthz. */
async function coldStarts(env: Record<string, string | undefined>): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const child = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist', 'main.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = Number((await waitForLine(child, /"port":(\d+)/))[1]);
    for (let tries = 0; tries < 2000; tries++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    starts.push(performance.now() - t);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return starts;
}

/** Rounds of the new-question load: each request draws a chart, so it is the slow part of the bench. */
export const FRESH_ROUNDS = Number(process.env.BENCH_FRESH_ROUNDS ?? 3);

/** A built server (dist/main.js, as npm start runs it) and its port. */
async function startServer(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, port: Number((await waitForLine(child, /"port":(\d+)/))[1]) };
}

/** The ceiling returning `response` (the bytes one of our servers answered the load's question with). */
async function startCeiling(hex: string, dir: string, name: string, response: Buffer) {
  const file = join(dir, name);
  writeFileSync(file, response);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'ceiling.ts'), hex, file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, port: Number((await waitForLine(child, /port (\d+)/))[1]) };
}

async function answerOf(port: number, privateKey: ReturnType<typeof keys>['privateKey']): Promise<Buffer> {
  const sample = signedRequest(privateKey);
  const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, {
    method: 'POST',
    body: sample.body,
    headers: sample.headers,
  });
  return Buffer.from(await res.arrayBuffer());
}

type Run = Awaited<ReturnType<typeof measured>>;
const summary = (runs: Run[]) => ({ ...medianRun(runs), cpu: stats(runs.map((r) => r.cpuMicros)).median });

export async function httpBench() {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  const k = keys();
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-bench-'));
  const starts = await coldStarts(serverEnv(k.hex, join(dir, 'cold.sqlite')));

  // Two whichgpu servers, with charts (the default) and without, each beside a ceiling that
  // returns exactly its bytes: JSON, or the multipart answer with the PNG.
  const off = await startServer(serverEnv(k.hex, join(dir, 'off.sqlite'), 'off'));
  const on = await startServer(serverEnv(k.hex, join(dir, 'on.sqlite'), 'on'));
  const json = await answerOf(off.port, k.privateKey);
  const multipart = await answerOf(on.port, k.privateKey);
  const bareJson = await startCeiling(k.hex, dir, 'response.json', json);
  const bareMultipart = await startCeiling(k.hex, dir, 'response.multipart', multipart);
  const servers = { off, bare: bareJson, on, bareOn: bareMultipart };
  const url = (s: { port: number }) => `http://127.0.0.1:${s.port}`;
  // A discarded warm-up for each, so none is measured while V8 is still compiling its hot paths.
  for (const s of Object.values(servers)) await load(url(s), k.privateKey, WARMUP_S);
  // Alternate the servers so background noise on a shared machine hits all alike.
  const runs = { off: [] as Run[], bare: [] as Run[], on: [] as Run[], bareOn: [] as Run[] };
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, s] of Object.entries(servers) as [keyof typeof runs, (typeof servers)['off']][])
      runs[name].push(await measured(url(s), s.child.pid!, k.privateKey));
  const rss = { off: rssMB(off.child.pid!), on: rssMB(on.child.pid!) };
  // Every request a new question: each chart is drawn (or left out past its budget).
  const fresh = { on: [] as Run[], off: [] as Run[] };
  for (let round = 0; round < FRESH_ROUNDS; round++) {
    fresh.on.push(await measured(url(on), on.child.pid!, k.privateKey, true));
    fresh.off.push(await measured(url(off), off.child.pid!, k.privateKey, true));
  }
  for (const { child } of Object.values(servers)) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
  const ratios = runs.off.map((o, i) => o.rps / runs.bare[i]!.rps);
  const chartRatios = runs.on.map((o, i) => o.rps / runs.bareOn[i]!.rps);
  return {
    ours: summary(runs.off),
    bare: summary(runs.bare),
    charts: summary(runs.on),
    bareCharts: summary(runs.bareOn),
    fresh: { on: summary(fresh.on), off: summary(fresh.off) },
    starts,
    rss,
    ratios,
    chartRatios,
    responseBytes: json.length,
    chartResponseBytes: multipart.length,
  };
}
