/**
 * What unauthenticated requests can make the server hold (issue 11, M2 and L8). `npx tsx
 * bench/bodies.ts` alone, or `benchBodies()` and `benchReplayGuard()` from another bench.
 *
 * Bodies: a built server (dist/main.js, Discord and Slack over HTTP) in a child process; N
 * connections each send headers with a Content-Length and half of that body, then stall. The
 * server's RSS is read from /proc before and while they hang, and a normal signed interaction is
 * sent meanwhile to see that it is still answered. One fresh server per shape: the (256 KB
 * to the Discord route) and the largest each route accepts. Loopback only, bounded in time.
 *
 * Replay guard: bytes per remembered signature, and what the guard holds at the bench's rate.
 * Usage: tsx bench/bodies.ts [--root <checkout with dist/ built>] [--connections N] [--no-build]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ReplayGuard } from '../src/discord/signature.js';

const here = resolve(fileURLToPath(import.meta.url), '..', '..');
/** The flags npm start runs the server with (package.json "start"). */
const NODE_FLAGS = ['--max-semi-space-size=2'];
/** Connections opened at once: more would overflow the listen backlog and wait on SYN retries. */
const BATCH = 250;

export interface BodiesShape {
  name: string;
  path: string;
  declaredBytes: number;
}

export interface BodiesFigures extends BodiesShape {
  connections: number;
  /** What each connection got: held (no answer, still open), an HTTP status, or closed/reset without one. */
  outcomes: Record<string, number>;
  rssBeforeMB: number;
  rssDuringMB: number;
  /** VmHWM: the most the server was resident at, over its life. */
  peakMB: number;
  /** A normal signed interaction sent while the bodies hang. */
  probe: { status: number | string; ms: number };
  seconds: number;
}

export const SHAPES: BodiesShape[] = [
  { name: "the issue's: 256 KB to the Discord route", path: '/discord/interactions', declaredBytes: 256 * 1024 },
  { name: 'the Discord route at its cap (64 KB)', path: '/discord/interactions', declaredBytes: 64 * 1024 },
  { name: 'the Slack route at its cap (256 KB)', path: '/slack/events', declaredBytes: 256 * 1024 },
];

function memoryMB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startServer(root: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, join(root, 'dist', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let buf = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 15_000);
    // Read stdout to the end, so the server never blocks on a full pipe.
    child.stdout!.on('data', (d: Buffer) => {
      if (found) return;
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m) {
        found = true;
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${buf}`)));
  });
  return { child, port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(6000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A signed Discord PING: the cheapest request the route answers 200 to once it has verified it. */
async function probe(
  port: number,
  privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'],
): Promise<{ status: number | string; ms: number }> {
  const body = JSON.stringify({ id: String(Date.now()), application_id: '1', type: 1, token: 'bench', version: 1 });
  const ts = String(Math.floor(Date.now() / 1000));
  const headers = {
    'content-type': 'application/json',
    'x-signature-timestamp': ts,
    'x-signature-ed25519': sign(null, Buffer.from(ts + body), privateKey).toString('hex'),
  };
  const t = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t };
  } catch (e) {
    return { status: (e as Error).name, ms: performance.now() - t };
  }
}

interface Attacker {
  socket: Socket;
  outcome?: string;
}

/** Opens one connection, sends headers and half of the body it declares, and never the rest. */
function attack(port: number, path: string, declared: number, half: Buffer): Promise<Attacker> {
  return new Promise((resolveAttacker) => {
    const socket = connect(port, '127.0.0.1');
    const a: Attacker = { socket };
    socket.once('connect', () => {
      // A current Slack timestamp too: it is not a secret, and the Slack route refuses a stale one before the body.
      const head = `host: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\nx-slack-request-timestamp: ${Math.floor(Date.now() / 1000)}`;
      socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`);
      // One shared buffer: the client must not hold N copies of what it sends.
      socket.write(half);
      resolveAttacker(a);
    });
    socket.once(
      'data',
      (d: Buffer) => (a.outcome ??= /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'))?.[1] ?? 'other'),
    );
    socket.once('error', () => {
      a.outcome ??= 'reset';
      resolveAttacker(a);
    });
    socket.once('close', () => (a.outcome ??= 'closed'));
  });
}

async function runShape(
  root: string,
  shape: BodiesShape,
  connections: number,
  env: Record<string, string>,
  privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'],
): Promise<BodiesFigures> {
  const started = performance.now();
  const { child, port } = await startServer(root, env);
  const attackers: Attacker[] = [];
  try {
    // Warm the route so the baseline includes what any served request loads.
    for (let i = 0; i < 20; i++) await probe(port, privateKey);
    await sleep(500);
    const before = memoryMB(child.pid!);
    const half = randomBytes(Math.floor(shape.declaredBytes / 2)).fill(0x78);
    for (let i = 0; i < connections; i += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, connections - i) }, () =>
          attack(port, shape.path, shape.declaredBytes, half),
        ),
      );
      attackers.push(...batch);
    }
    // Let the half bodies arrive and the refusals go out (well under the server's 10 s request timeout).
    await sleep(2000);
    const during = memoryMB(child.pid!);
    const p = await probe(port, privateKey);
    const outcomes: Record<string, number> = {};
    for (const a of attackers) {
      const o = a.outcome ?? (a.socket.destroyed ? 'closed' : 'held');
      outcomes[o] = (outcomes[o] ?? 0) + 1;
    }
    return {
      ...shape,
      connections,
      outcomes,
      rssBeforeMB: before.rss,
      rssDuringMB: during.rss,
      peakMB: during.peak,
      probe: p,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const a of attackers) a.socket.destroy();
    await stopServer(child);
  }
}

export async function benchBodies(
  o: { root?: string; connections?: number; build?: boolean; shapes?: BodiesShape[] } = {},
): Promise<BodiesFigures[]> {
  const root = o.root ?? here;
  if (o.build ?? true) execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-bodies-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: der.subarray(der.length - 32).toString('hex'),
    DISCORD_TOKEN: 'bench',
    DISCORD_API_URL: 'http://127.0.0.1:9',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_PATH: join(dir, 'db.sqlite'),
  };
  try {
    const figures: BodiesFigures[] = [];
    for (const shape of o.shapes ?? SHAPES)
      figures.push(await runShape(root, shape, o.connections ?? 3000, env, privateKey));
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function bodiesRows(figures: BodiesFigures[]): string[] {
  const rows = [
    '| half-sent bodies | connections | what they got | RSS before | RSS while they hang | peak RSS | a signed PING meanwhile |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of figures) {
    const got = Object.entries(f.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    rows.push(
      `| ${f.name} | ${f.connections} | ${got} | ${f.rssBeforeMB.toFixed(0)} MB | ${f.rssDuringMB.toFixed(0)} MB | ${f.peakMB.toFixed(0)} MB | ${f.probe.status} in ${f.probe.ms.toFixed(0)} ms |`,
    );
  }
  return rows;
}

export interface ReplayGuardFigures {
  rate: number;
  seconds: number;
  remembered: number;
  tableBytes: number;
  bytesPerSignature: number;
  /** The same signatures' 52-bit fingerprints in a Set<number>, heap bytes each. */
  setBytesPerSignature: number;
  /** Worst case at the cap: every table just grown (3/8 full). */
  boundMB: number;
  nsPerAdmit: number;
}

/** Feeds the replay guard `rate` signed requests a second for `seconds`, timestamped on arrival. */
export function benchReplayGuard(rate = 5000, seconds = 600): ReplayGuardFigures {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const sigs = Array.from({ length: 4096 }, () => randomBytes(64).toString('hex'));
  const signature = (i: number) => (i >>> 0).toString(16).padStart(8, '0') + sigs[i & 4095]!.slice(8);
  const guard = new ReplayGuard();
  const t0 = 1_000_000_000;
  let admitNs = 0;
  for (let s = 0; s < seconds; s++) {
    const batch = Array.from({ length: rate }, (_, k) => signature(s * rate + k));
    const t = process.hrtime.bigint();
    for (let k = 0; k < rate; k++) guard.admit(batch[k]!, t0 + s, t0 + s + k / rate);
    admitNs += Number(process.hrtime.bigint() - t);
  }
  // The same number of fingerprints in a Set, as the guard kept before.
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const set = new Set<number>();
  for (let i = 0; i < guard.size; i++) set.add(parseInt(signature(i).slice(0, 13), 16));
  gc();
  const setBytes = process.memoryUsage().heapUsed - heapBefore;
  return {
    rate,
    seconds,
    remembered: guard.size,
    tableBytes: guard.bytes,
    bytesPerSignature: guard.bytes / guard.size,
    setBytesPerSignature: setBytes / set.size,
    boundMB: (ReplayGuard.MAX_REMEMBERED * 8) / (3 / 8) / 2 ** 20,
    nsPerAdmit: admitNs / (rate * seconds),
  };
}

export function replayGuardLine(r: ReplayGuardFigures): string {
  return `replay guard at ${r.rate} req/s for ${r.seconds} s: ${r.remembered.toLocaleString('en')} signatures remembered in ${(r.tableBytes / 2 ** 20).toFixed(1)} MB (${r.bytesPerSignature.toFixed(1)} B each; a Set<number> of the same: ${r.setBytesPerSignature.toFixed(1)} B each), ${r.nsPerAdmit.toFixed(0)} ns per request; cap ${ReplayGuard.MAX_REMEMBERED.toLocaleString('en')} signatures, at most ${r.boundMB.toFixed(0)} MB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const deadline = setTimeout(() => {
    console.error('bench/bodies.ts: over 120 s, giving up');
    process.exit(1);
  }, 120_000);
  deadline.unref();
  const figures = await benchBodies({
    root: arg('--root') ?? here,
    connections: Number(arg('--connections') ?? 3000),
    build: !process.argv.includes('--no-build'),
  });
  console.log(`\n## Half-sent bodies (${figures.reduce((s, f) => s + f.seconds, 0).toFixed(0)} s, loopback)\n`);
  for (const r of bodiesRows(figures)) console.log(r);
  if (!process.argv.includes('--no-guard')) console.log(`\n${replayGuardLine(benchReplayGuard())}`);
}
