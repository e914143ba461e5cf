import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/store.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { command, component, GUILD, signBody, testKeys } from '../discord/helpers.js';

const root = join(import.meta.dirname, '..', '..');
const keys = testKeys();
const fake = new FakeDiscordApi();
let dir: string;
beforeAll(async () => {
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'whichgpu-life-'));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(db: string): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TRANSPORT: 'http',
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_TOKEN: 't',
      DISCORD_API_URL: fake.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_PATH: db,
      // Answers as text: the test reads their JSON.
      CHARTS: 'off',
      RATE_LIMIT_USER_BURST: '1000',
      RATE_LIMIT_SERVER_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no port: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, exited };
}

const post = (port: number, payload: unknown) => {
  const body = JSON.stringify(payload);
  return fetch(`http://127.0.0.1:${port}/discord/interactions`, {
    method: 'POST',
    body,
    headers: signBody(keys.privateKey, body),
  });
};

describe('process lifecycle', () => {
  it(
    'SIGTERM stops accepting, finishes in-flight requests, closes the database and exits 0 within 5 s',
    { timeout: 30_000 },
    async () => {
      const { child, port, exited } = await startServer(join(dir, 'term.sqlite'));
      const inflight = Array.from({ length: 40 }, () =>
        post(port, command('compare', { model: 'llama 3.3 70b' })).then(
          (r) => r.status,
          () => 'refused',
        ),
      );
      await new Promise((r) => setTimeout(r, 5));
      const t = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      expect(code).toBe(0);
      expect(Date.now() - t).toBeLessThan(5000);
      const statuses = await Promise.all(inflight);
      // Every request that reached the server was answered; none got a 5xx.
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 'refused')).toBe(true);
      const s = SqliteStore.open(join(dir, 'term.sqlite'));
      expect(s.integrityCheck()).toBe('ok');
      s.close();
    },
  );

  it('a server killed mid-load restarts with every acknowledged pin', { timeout: 60_000 }, async () => {
    const db = join(dir, 'kill.sqlite');
    const first = await startServer(db);
    const acked: number[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const r = await post(first.port, command('compare', { model: 'phi-4' }, { moderator: true })).catch(
          () => undefined,
        );
        if (!r) return;
        const json = (await r.json()) as { data: { components: { components: { custom_id: string }[] }[] } };
        const pin = json.data.components[2]!.components[0]!.custom_id;
        // A distinct message per pin.
        const click = component(pin, undefined, { moderator: true }) as unknown as { message: { id: string } };
        click.message.id = String(700000000000000000n + BigInt(acked.length * 10 + Math.floor(Math.random() * 10)));
        const p = await post(first.port, click).catch(() => undefined);
        if (!p) return;
        const content = ((await p.json()) as { data: { content: string } }).data.content;
        const m = /Pinned as #(\d+)/.exec(content);
        if (m) acked.push(Number(m[1]));
      }
    };
    const workers = [worker(), worker(), worker()];
    while (acked.length < 25) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await first.exited;

    const second = await startServer(db);
    const list = await post(second.port, command('verdicts', {}, { moderator: true }));
    expect(list.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const s = SqliteStore.open(db);
    expect(s.integrityCheck()).toBe('ok');
    const stored = new Set((await s.list('discord', GUILD, 1, 100_000)).items.map((p) => p.id));
    for (const id of acked) expect(stored.has(id)).toBe(true);
    s.close();
  });
});
