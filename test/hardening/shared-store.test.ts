/**
 * Instances on one PostgreSQL database (issue 17), against a real server and real HTTP on 127.0.0.1: what one
 * instance does is seen by the other (pins, the replay guard, the rate limits, settings), instances starting at
 * once migrate once, a writer killed mid-pin loses no acknowledged pin, and an instance keeps answering while its
 * database restarts. The SQLite path is the rest of the suite.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../../src/store/pg-migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { command, component, MANAGER_PERMS, MANAGER_ROLE, serveGuild, signBody, testKeys } from '../discord/helpers.js';
import { startPgTestApp, type PgTestApp } from '../helpers/pg-app.js';
import { databasePerTest, privateServerPerFile, restartServer, stopServer } from '../helpers/postgres.js';

const root = join(import.meta.dirname, '..', '..');
const keys = testKeys();
const fake = new FakeDiscordApi();
beforeAll(async () => {
  await fake.start();
  serveGuild(fake);
});
afterAll(() => fake.stop());

const discordEnv = (): Record<string, string> => ({
  DISCORD_TRANSPORT: 'http',
  DISCORD_PUBLIC_KEY: keys.publicKeyHex,
  DISCORD_TOKEN: 'test-token',
  DISCORD_API_URL: fake.url,
});

/** A reply as the tests read it: any JSON, since Discord's shapes vary by reply kind. */
type Json = any;
interface Answer {
  status: number;
  json: Json;
  text: string;
  ms: number;
}

/** Sends the exact bytes and headers given; an answer that takes longer than `timeoutMs` rejects. */
async function send(base: string, body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<Answer> {
  const sent = performance.now();
  const res = await fetch(`${base}/discord/interactions`, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, ms: performance.now() - sent };
}

/** Signs `payload` now and sends it. */
function post(base: string, payload: unknown, timeoutMs?: number): Promise<Answer> {
  const body = JSON.stringify(payload);
  return send(base, body, signBody(keys.privateKey, body), timeoutMs);
}

const pinButtonOf = (a: Answer): string => a.json.data.components[2].components[0].custom_id as string;
const pinnedId = (a: Answer): number => Number(/Pinned as #(\d+)/.exec(a.json?.data?.content ?? '')?.[1] ?? NaN);
/** The "h/day" a verdict's cost field was worked out with. */
const hoursOf = (a: Answer): number | undefined => {
  const field = (a.json?.data?.embeds?.[0]?.fields ?? []).find((f: { name: string }) => /h\/day/.test(f.name));
  return field ? Number(/\(([\d.]+) h\/day/.exec(field.name)![1]) : undefined;
};
const manager = { permissions: MANAGER_PERMS, roles: [MANAGER_ROLE] };

/** Polls `probe` until `done` says yes, or fails after `timeoutMs` saying what it last saw. */
async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 20) {
  const start = performance.now();
  for (;;) {
    const v = await probe();
    if (done(v)) return { value: v, ms: performance.now() - start };
    if (performance.now() - start > timeoutMs)
      throw new Error(`not within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await sleep(everyMs);
  }
}

// A and B run in this process: besides the database they share only module-level caches of computed verdicts;
// each has its own store (and its caches), replay guard, rate limiter and HTTP server.
describe('two instances on one database', () => {
  const db = databasePerTest();
  let running: PgTestApp[] = [];
  afterEach(async () => {
    await Promise.all(running.map((a) => a.close()));
    running = [];
  });
  async function pair(env: Record<string, string> = {}): Promise<[PgTestApp, PgTestApp]> {
    const [a, b] = await Promise.all([
      startPgTestApp({ ...discordEnv(), ...env }, db.url),
      startPgTestApp({ ...discordEnv(), ...env }, db.url),
    ]);
    running.push(a, b);
    expect(a.app.port).not.toBe(b.app.port);
    return [a, b];
  }

  it('a pin made through A is listed by B, and B marks the question pinned within 5 s', async () => {
    const [a, b] = await pair();
    const question = command('compare', { model: 'gemma 3 27b' });
    // B answers the question first, so that "not pinned" is in its cache when A pins.
    const before = await post(b.base, question);
    expect(before.json.data.embeds[0].description).not.toMatch(/pinned this question/);

    const asked = await post(a.base, command('compare', { model: 'gemma 3 27b' }));
    const pinned = await post(a.base, component(pinButtonOf(asked), undefined, { moderator: true }));
    const id = pinnedId(pinned);
    expect(id).toBeGreaterThan(0);
    const at = performance.now();

    const list = await post(b.base, command('verdicts'));
    expect(list.json.data.embeds[0].title).toBe('Pinned verdicts (1)');
    expect(list.json.data.embeds[0].description).toContain(`**#${id}**`);
    await until(
      () => post(b.base, command('compare', { model: 'gemma 3 27b' })),
      (r) => r.json.data.embeds[0].description.includes(`pinned this question as #${id}`),
      5000,
    );
    console.log(`pin through A shown on B's answer ${(performance.now() - at).toFixed(0)} ms after A's ack`);
  });

  it('a signed request accepted by A is refused as a replay by B (same bytes, same headers)', async () => {
    const [a, b] = await pair();
    const body = JSON.stringify(command('compare', { model: 'llama 3.1 8b' }));
    const headers = signBody(keys.privateKey, body);
    const first = await send(a.base, body, headers);
    expect(first.status).toBe(200);
    expect(first.json.data.embeds).toHaveLength(1);
    // The same signature spelled in capitals verifies too: B, which never saw either, refuses it
    // as the request A accepted (the shared guard keys on the signature's bytes, not its spelling).
    const shouted = { ...headers, 'x-signature-ed25519': headers['x-signature-ed25519'].toUpperCase() };
    const spelled = await send(b.base, body, shouted);
    expect(spelled.status).toBe(401);
    expect(spelled.json).toEqual({ error: 'replayed request' });
    const again = await send(b.base, body, headers);
    expect(again.status).toBe(401);
    expect(again.json).toEqual({ error: 'replayed request' });
    // And A's own guard still refuses it too.
    expect((await send(a.base, body, headers)).status).toBe(401);
  });

  it('a user alternating A and B is rate-limited as by one instance', async () => {
    const burst = 3;
    const [a, b] = await pair({ RATE_LIMIT_USER_BURST: String(burst), RATE_LIMIT_USER_PER_MINUTE: '0.5' });
    const user = '616161616161616161';
    const answers: Answer[] = [];
    // A, B, A, B: each instance alone sees 2, under its own burst of 3.
    for (let n = 0; n <= burst; n++) answers.push(await post(n % 2 ? b.base : a.base, command('help', {}, { user })));
    for (const r of answers.slice(0, burst)) expect(r.json.data.content).not.toMatch(/Easy there/);
    expect(answers[burst]!.json.data.content).toMatch(
      /Easy there: you've asked a lot in a short time\. Try again in \d+ s/,
    );
    expect(answers[burst]!.json.data.flags).toBe(64);
    // Another member is not held up by the first one's bucket.
    const other = await post(a.base, command('help', {}, { user: '626262626262626262' }));
    expect(other.json.data.content).not.toMatch(/Easy there/);
  });

  it('settings changed through B are used by A within 5 s, A having read the old value first', async () => {
    const [a, b] = await pair();
    const ask = () => post(a.base, command('compare', { model: 'qwen3 32b' }));
    // A reads the server's settings (the default 8 h/day) and keeps them in its cache.
    const old = await ask();
    expect(hoursOf(old)).toBe(8);
    const warmAt = performance.now();
    expect((await ask()).status).toBe(200);
    expect(a.store.hearingChanges).toBe(true);

    const saved = await post(b.base, command('settings', { hours: 13 }, manager));
    expect(saved.json.data.content).toMatch(/Saved hours/);
    const savedAt = performance.now();
    // The change landed while A's cache entry was still fresh (4 s): only the notification can have dropped it.
    expect(savedAt - warmAt).toBeLessThan(3000);
    const used = await until(ask, (r) => hoursOf(r) === 13, 5000, 10);
    const ms = performance.now() - savedAt;
    console.log(`settings saved through B used by A after ${ms.toFixed(0)} ms (${used.ms.toFixed(0)} ms polling)`);
    expect(ms).toBeLessThan(5000);
  });
});

describe('instances starting at once', () => {
  const db = databasePerTest();

  it('four opening one fresh database at once all start, and the schema is applied once', async () => {
    const opened = await Promise.allSettled(Array.from({ length: 4 }, () => PostgresStore.open(db.url)));
    const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    try {
      expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const meta = (
          await client.query<{ key: string; value: string }>('SELECT key, value FROM app_meta ORDER BY key')
        ).rows;
        expect(meta.filter((m) => m.key !== 'created_at')).toEqual([
          { key: 'app', value: 'whichgpu' },
          { key: 'schema_version', value: String(PG_MIGRATIONS.length) },
        ]);
        const takes = await client.query("SELECT 1 FROM pg_proc WHERE proname = 'whichgpu_take'");
        expect(takes.rowCount).toBe(1);
      } finally {
        await client.end();
      }
      // Each works: a pin through one is read by another.
      const p = await stores[0]!.pin({
        platform: 'discord',
        serverId: 'g',
        channelId: 'c',
        messageId: 'm',
        queryKey: 'q',
        query: {},
        headline: 'h',
        winner: 'w',
        dataVersion: 'v',
        pinnedBy: 'u',
      });
      expect((await stores[3]!.get('discord', 'g', p.id))?.messageId).toBe('m');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('a writer killed with SIGKILL mid-pin', () => {
  const db = databasePerTest();

  it('loses no acknowledged pin', { timeout: 60_000 }, async () => {
    const writers = ['w1', 'w2'].map((name) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'test', 'fixtures', 'pg-pin-writer.ts'), db.url, name],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acks: { id: number; messageId: string }[] = [];
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const m = /^ack (\d+) (\S+)$/.exec(l);
          if (m) acks.push({ id: Number(m[1]), messageId: m[2]! });
        }
      });
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
      return { child, acks, exited, stderr: () => err };
    });
    const acked = () => writers.reduce((n, w) => n + w.acks.length, 0);
    try {
      await until(
        async () => ({ acks: writers.map((w) => w.acks.length), stderr: writers.map((w) => w.stderr().slice(-300)) }),
        () => writers.every((w) => w.acks.length >= 20),
        45_000,
      );
    } finally {
      // Mid-pin: each writer has a pin on its way whenever it is killed.
      for (const w of writers) w.child.kill('SIGKILL');
    }
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual(['SIGKILL', 'SIGKILL']);

    const store = await PostgresStore.open(db.url);
    try {
      const stored = new Map(
        (await store.list('discord', 'guild-1', 1, 1_000_000)).items.map((p) => [p.id, p.messageId]),
      );
      const all = writers.flatMap((w) => w.acks);
      for (const { id, messageId } of all) expect(stored.get(id)).toBe(messageId);
      console.log(`SIGKILL after ${acked()} acknowledged pins (${stored.size} stored): none lost`);
      expect(stored.size).toBeGreaterThanOrEqual(all.length);
    } finally {
      await store.close();
    }
  });
});

/** `node --import tsx src/main.ts` on `databaseUrl`: the production entry point, so a crash is an exit. */
async function startInstance(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...discordEnv(),
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      MODEL_LOOKUP: 'off',
      // Answers as text: the test reads their JSON.
      CHARTS: 'off',
      RATE_LIMIT_USER_BURST: '1000',
      RATE_LIMIT_USER_PER_MINUTE: '10000',
      RATE_LIMIT_SERVER_BURST: '100000',
      RATE_LIMIT_SERVER_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no port within 30 s: ${out}${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        try {
          const line = JSON.parse(l) as Record<string, unknown>;
          logs.push(line);
          if (typeof line.port === 'number') {
            clearTimeout(t);
            resolve(line.port);
          }
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return { child, base: `http://127.0.0.1:${port}`, logs, exited, stderr: () => err };
}

describe('the database restarting under load (a private server)', () => {
  const server = privateServerPerFile();
  let instance: Awaited<ReturnType<typeof startInstance>> | undefined;
  beforeAll(async () => {
    instance = await startInstance(server.info.url);
  }, 40_000);
  afterAll(async () => {
    if (!instance) return;
    instance.child.kill('SIGTERM');
    const code = await instance.exited;
    instance = undefined;
    // A clean stop after the restart: the pool and the listener closed without hanging.
    expect(code).toBe(0);
  }, 20_000);
  const get = (path: string) =>
    fetch(`${instance!.base}${path}`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status);

  it(
    'answers every /compare within 3 s while the server stops and starts, and pins and settings work after',
    { timeout: 60_000 },
    async () => {
      const base = instance!.base;
      const warm = await post(base, command('compare', { model: 'phi-4' }));
      expect(warm.status).toBe(200);
      const models = ['phi-4', 'llama 3.1 8b', 'qwen3 14b', 'gemma 3 12b'];
      const done: (Answer & { start: number; end: number })[] = [];
      const failures: string[] = [];
      let stop = false;
      const worker = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const start = performance.now();
          try {
            // A new question each time (a verdict's state is saved once per question, then cached).
            const question = { model: models[(w + n) % models.length]!, kwh_price: ((w * 1000 + n) % 500) / 100 };
            const r = await post(base, command('compare', question), 10_000);
            done.push({ ...r, start, end: performance.now() });
          } catch (e) {
            failures.push(
              `${(e as Error).name}: ${(e as Error).message} after ${(performance.now() - start).toFixed(0)} ms`,
            );
          }
        }
      };
      const workers = [0, 1, 2].map(worker);
      let downAt = 0;
      let upAt = 0;
      let writes: Answer[] = [];
      let attempts = 0;
      let saved: { value: Answer; ms: number };
      let savedAfter = 0;
      try {
        await sleep(1000);
        downAt = performance.now();
        await stopServer(server.info);
        // A moderator's writes while it is down: answered in words, in time.
        writes = await Promise.all([
          post(base, command('settings', { hours: 5 }, manager)),
          post(base, component(pinButtonOf(warm), undefined, { moderator: true, messageId: '333333333333339000' })),
        ]);
        await sleep(Math.max(0, 1500 - (performance.now() - downAt)));
        await restartServer({ downMs: 0 });
        upAt = performance.now();
        // A moderator's write succeeds again within a few seconds of the server's return, under the same load.
        saved = await until(
          () => (attempts++, post(base, command('settings', { hours: 11 }, manager))),
          (r) => /Saved hours/.test(r.json?.data?.content ?? ''),
          5000,
          100,
        );
        savedAfter = performance.now() - upAt;
        await sleep(Math.max(0, 1500 - savedAfter));
      } finally {
        stop = true;
        await Promise.all(workers);
      }

      expect(failures).toEqual([]);
      const [settingsWrite, pinWrite] = writes;
      expect(settingsWrite!.json.data).toMatchObject({
        content:
          "Couldn't save the settings: the bot's storage is busy, so they are unchanged.\nTry again in a moment.",
        flags: 64,
      });
      // The Pin button first reads the question it carries, and that read is refused as BUSY: a plain answer.
      expect(pinWrite!.json.data.content).toMatch(/^(Couldn't pin|The bot's storage is busy right now)/);
      expect(pinWrite!.json.data.flags).toBe(64);
      for (const w of writes) expect(w.ms).toBeLessThan(3000);
      expect(instance!.child.exitCode).toBeNull();
      expect(await get('/healthz')).toBe(200);
      const during = done.filter((r) => r.end >= downAt && r.start <= upAt);
      const kinds = { verdict: 0, plain: 0, deferred: 0 };
      for (const r of done) {
        expect(r.status, r.text).toBe(200);
        expect(r.ms, r.text).toBeLessThan(3000);
        expect(r.text).not.toMatch(/\bat .+\.[jt]s:\d+:\d+|"stack"/);
        if (r.json.type === 5) kinds.deferred++;
        else if (r.json.data.embeds?.length) kinds.verdict++;
        else {
          expect(r.json.data.content).toMatch(/\S/);
          kinds.plain++;
        }
      }
      expect(during.length).toBeGreaterThan(0);
      const duringKinds = {
        verdict: during.filter((r) => r.json.type === 4 && r.json.data.embeds?.length).length,
        // Its question could not be stored for the buttons: the verdict goes out without them.
        buttonless: during.filter((r) => r.json.type === 4 && r.json.data.embeds?.length && !r.json.data.components)
          .length,
        other: during.filter((r) => !(r.json.type === 4 && r.json.data.embeds?.length)).length,
      };
      // Nothing reached the HTTP boundary's 500, nor an unhandled rejection.
      const bad = instance!.logs.filter((l) => /request failed|unhandled rejection/.test(String(l.msg)));
      expect(bad).toEqual([]);

      expect(savedAfter).toBeLessThan(5000);
      // And the pins and settings work afterwards: the saved hours are used, a pin is stored and listed.
      const asked = await post(base, command('compare', { model: 'mistral small 3' }));
      expect(hoursOf(asked)).toBe(11);
      const pinned = await post(
        base,
        component(pinButtonOf(asked), undefined, { moderator: true, messageId: '333333333333339001' }),
      );
      expect(pinnedId(pinned)).toBeGreaterThan(0);
      const list = await post(base, command('verdicts'));
      expect(list.json.data.embeds[0].description).toContain(`**#${pinnedId(pinned)}**`);

      const slowest = Math.max(...done.map((r) => r.ms));
      const boundary = instance!.logs.filter((l) => l.msg === 'interaction failed').length;
      console.log(
        `restart: down ${(upAt - downAt).toFixed(0)} ms; ${done.length} requests answered (${kinds.verdict} verdicts, ${kinds.plain} plain, ${kinds.deferred} deferred), ` +
          `${during.length} during the outage (${duringKinds.verdict} verdicts, ${duringKinds.buttonless} of them without buttons, ${duringKinds.other} other); slowest ${slowest.toFixed(0)} ms; ` +
          `a settings save succeeded ${savedAfter.toFixed(0)} ms after the server was back (attempt ${attempts}; its answer took ${saved.value.ms.toFixed(0)} ms); writes during the outage answered in ${writes.map((w) => w.ms.toFixed(0)).join(' and ')} ms; ${boundary} answers from the boundary`,
      );
    },
  );

  it(
    'a database that stops answering (every server process paused) still gets every answer out within 3 s, in words',
    { timeout: 40_000 },
    async () => {
      const base = instance!.base;
      const warm = await post(base, command('compare', { model: 'phi-4' }));
      expect(warm.status).toBe(200);
      // The postmaster and its children, frozen: connections stay open and nothing answers.
      const postmaster = Number(readFileSync(join(server.info.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const children = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(postmaster);
          } catch {
            return false;
          }
        });
      const frozen = [postmaster, ...children];
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      const answers: Answer[] = [];
      try {
        answers.push(await post(base, command('compare', { model: 'phi-4', kwh_price: 0.33 })));
        answers.push(await post(base, command('compare', { model: 'qwen3 14b', kwh_price: 0.34 })));
        answers.push(await post(base, command('help')));
        answers.push(await post(base, command('verdicts')));
        answers.push(await post(base, command('settings', { hours: 7 }, manager)));
      } finally {
        for (const pid of frozen) process.kill(pid, 'SIGCONT');
      }
      for (const a of answers) {
        expect(a.status, a.text).toBe(200);
        expect(a.ms, a.text).toBeLessThan(3000);
        // Answered now, not deferred past what Discord waits for.
        expect(a.json.type, a.text).toBe(4);
      }
      expect(answers[0]!.json.data.embeds?.length).toBeGreaterThan(0);
      expect(answers[1]!.json.data.embeds?.length).toBeGreaterThan(0);
      expect(answers[3]!.json.data.content).toMatch(/^The bot's storage is busy right now/);
      expect(answers[4]!.json.data.content).toMatch(/^Couldn't save the settings: the bot's storage is busy/);
      expect(instance!.logs.filter((l) => l.msg === 'interaction failed')).toEqual([]);
      console.log(`database frozen: answers in ${answers.map((a) => a.ms.toFixed(0)).join(', ')} ms`);
    },
  );

  it(
    '/readyz is 200 with the database up and 503 with it stopped; /healthz is 200 in both',
    { timeout: 40_000 },
    async () => {
      expect(await get('/readyz')).toBe(200);
      expect(await get('/healthz')).toBe(200);
      await stopServer(server.info);
      try {
        await until(
          () => get('/readyz'),
          (s) => s === 503,
          5000,
          100,
        );
        expect(await get('/healthz')).toBe(200);
      } finally {
        await restartServer({ downMs: 0 });
      }
      const back = await until(
        () => get('/readyz'),
        (s) => s === 200,
        10_000,
        100,
      );
      console.log(`/readyz 200 again ${back.ms.toFixed(0)} ms after the server started`);
      expect(await get('/healthz')).toBe(200);
    },
  );
});
