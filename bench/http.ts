/**
 * Signed /compare requests against POST /discord/interactions under concurrent load (autocannon),
 * beside a ceiling measured in the same run (a bare node:http server that only verifies the
 * Ed25519 signature); cold start to a ready /healthz; resident memory after the load.
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

type LoadResult = { rps: number; p99: number; p50: number; errors: number; total: number };
/** The run with the median throughput; errors summed over all runs. */
function medianRun(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  return { ...mid, errors: runs.reduce((n, r) => n + r.errors, 0), total: runs.reduce((n, r) => n + r.total, 0) };
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

function compareBody(): string {
  const q = LOAD_QUERY;
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
        type: typeof value === 'number' ? 4 : 3,
        value,
      })),
    },
  });
}

function signedRequest(privateKey: ReturnType<typeof keys>['privateKey']) {
  const body = compareBody();
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

async function load(url: string, privateKey: ReturnType<typeof keys>['privateKey'], duration = DURATION_S) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/discord/interactions',
        setupRequest: (req) => ({ ...req, ...signedRequest(privateKey) }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One load round, with the server's CPU time per answered request. */
async function measured(url: string, pid: number, privateKey: ReturnType<typeof keys>['privateKey']) {
  const before = cpuSeconds(pid);
  const r = await load(url, privateKey);
  return { ...r, cpuMicros: ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, r.total) };
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** The server's environment: Discord over HTTP, info logs, rate limits the load cannot reach. */
function serverEnv(publicKeyHex: string, databasePath: string): Record<string, string | undefined> {
  return {
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

export async function httpBench() {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  const k = keys();
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-bench-'));
  const env = serverEnv(k.hex, join(dir, 'db.sqlite'));
  const starts = await coldStarts(env);

  const server = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = Number((await waitForLine(server, /"port":(\d+)/))[1]);
  const sample = signedRequest(k.privateKey);
  const response = await (
    await fetch(`http://127.0.0.1:${port}/discord/interactions`, {
      method: 'POST',
      body: sample.body,
      headers: sample.headers,
    })
  ).text();
  const responseFile = join(dir, 'response.json');
  writeFileSync(responseFile, response);
  const ceiling = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'ceiling.ts'), k.hex, responseFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const cport = Number((await waitForLine(ceiling, /port (\d+)/))[1]);
  // A discarded warm-up for each, so neither is measured while V8 is still compiling its hot paths.
  await load(`http://127.0.0.1:${port}`, k.privateKey, WARMUP_S);
  await load(`http://127.0.0.1:${cport}`, k.privateKey, WARMUP_S);
  // Alternate the two servers so background noise on a shared machine hits both alike.
  const oursRuns: Awaited<ReturnType<typeof measured>>[] = [];
  const bareRuns: Awaited<ReturnType<typeof measured>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    oursRuns.push(await measured(`http://127.0.0.1:${port}`, server.pid!, k.privateKey));
    bareRuns.push(await measured(`http://127.0.0.1:${cport}`, ceiling.pid!, k.privateKey));
  }
  const rss = rssMB(server.pid!);
  for (const child of [server, ceiling]) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const ours = medianRun(oursRuns);
  const bare = medianRun(bareRuns);
  const ratios = oursRuns.map((o, i) => o.rps / bareRuns[i]!.rps);
  const cpu = {
    ours: stats(oursRuns.map((r) => r.cpuMicros)).median,
    bare: stats(bareRuns.map((r) => r.cpuMicros)).median,
  };
  rmSync(dir, { recursive: true, force: true });
  return { ours, bare, cpu, starts, rss, ratios, responseBytes: response.length };
}
