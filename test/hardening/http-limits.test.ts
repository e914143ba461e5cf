/**
 * What unauthenticated requests can hold (M2), over real loopback sockets: a body over its route's
 * cap is refused from its Content-Length, bodies in flight share one budget (503 past it), and a
 * body sent too slowly is cut off. Memory itself is measured by bench/bodies.ts, not here.
 */
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, readBody, type HttpLimits } from '../../src/server.js';
import { createLogger } from '../../src/log.js';
import { startTestApp } from '../helpers/app.js';
import { testKeys } from '../discord/helpers.js';

/** A raw connection: what it was sent, and the first status line the server answers with. */
class Conn {
  private data = '';
  private closed = false;
  private readonly waiters: (() => void)[] = [];
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.wake((this.data += d.toString('latin1'))));
    socket.on('close', () => this.wake((this.closed = true)));
    socket.on('error', () => undefined);
  }
  private wake(_: unknown) {
    for (const w of this.waiters.splice(0)) w();
  }
  /** The status the server answered with, 'closed' if it closed without one, 'none' if nothing came within `ms`. */
  async status(ms: number): Promise<number | 'closed' | 'none'> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(this.data);
      if (m) return Number(m[1]);
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'none';
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  get response(): string {
    return this.data;
  }
  get isClosed(): boolean {
    return this.closed;
  }
}

async function open(port: number, path: string, headers: Record<string, string | number>, body = ''): Promise<Conn> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const conn = new Conn(socket);
  const head = Object.entries({ host: '127.0.0.1', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n${body}`);
  return conn;
}

/** Headers for a `length`-byte body; `sent` of it follows them, the rest never does. */
const halfSent = (port: number, path: string, length: number, sent = Math.floor(length / 2)) =>
  open(port, path, { 'content-type': 'application/json', 'content-length': length }, 'x'.repeat(sent));
const complete = (port: number, path: string, length: number) => halfSent(port, path, length, length);

const servers: Server[] = [];
const conns: Conn[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.socket.destroy();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** The server with a route that answers 200 once it has the body, and a raw route that reads its own like Slack's. */
async function serve(limits: Partial<HttpLimits> = {}): Promise<number> {
  const server = createHttpServer({
    routes: { '/discord/interactions': async () => ({ status: 200, body: { ok: true } }) },
    rawRoutes: { '/slack/events': (req, res) => readBody(req, res, () => res.writeHead(200).end('{}')) },
    log: createLogger('silent'),
    isReady: () => true,
    limits,
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const track = async (c: Promise<Conn>) => {
  const conn = await c;
  conns.push(conn);
  return conn;
};

describe('HTTP limits for unauthenticated bodies', { timeout: 30_000 }, () => {
  it("413 from the Content-Length for a body over the Discord route's 64 KB, before any of it is sent", async () => {
    const port = await serve();
    const discord = await track(
      open(port, '/discord/interactions', { 'content-type': 'application/json', 'content-length': 100 * 1024 }),
    );
    expect(await discord.status(5000)).toBe(413);
    // The same length is fine on Slack's route (256 KB), and past that refused there too.
    expect(await (await track(complete(port, '/slack/events', 100 * 1024))).status(5000)).toBe(200);
    expect(await (await track(open(port, '/slack/events', { 'content-length': 300 * 1024 }))).status(5000)).toBe(413);
  });

  it("413 for a chunked body that grows past the Discord route's cap", async () => {
    const port = await serve();
    const chunk = 'x'.repeat(32 * 1024);
    const conn = await track(
      open(port, '/discord/interactions', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
    );
    for (let i = 0; i < 3; i++) conn.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    expect(await conn.status(5000)).toBe(413);
  });

  it('the whole app refuses a signed 100 KB interaction from its headers', async () => {
    const keys = testKeys();
    const t = await startTestApp({
      DISCORD_TRANSPORT: 'http',
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_TOKEN: 't',
      DISCORD_API_URL: 'http://127.0.0.1:9',
    });
    try {
      const conn = await track(
        open(t.app.port!, '/discord/interactions', {
          'content-type': 'application/json',
          'content-length': 100 * 1024,
          'x-signature-timestamp': '1',
          'x-signature-ed25519': 'aa',
        }),
      );
      expect(await conn.status(5000)).toBe(413);
    } finally {
      await t.close();
    }
  });

  it('once the budget is full, a new body gets 503 with Retry-After at once, while the half-sent ones hold', async () => {
    // 1 MB in flight, of which bodies over 16 KB may take 512 KB: two 200 KB Slack bodies and one 60 KB interaction.
    const port = await serve({ bufferedBytes: 1024 * 1024, smallBodyBytes: 16 * 1024 });
    const held = [
      await track(halfSent(port, '/slack/events', 200 * 1024)),
      await track(halfSent(port, '/slack/events', 200 * 1024)),
      await track(halfSent(port, '/discord/interactions', 60 * 1024)),
    ];
    expect(await held[2]!.status(300)).toBe('none');
    const refused = await track(halfSent(port, '/discord/interactions', 60 * 1024));
    expect(await refused.status(5000)).toBe(503);
    expect(refused.response).toMatch(/retry-after: 1/i);
    // Small bodies keep the other half: a 1 KB interaction still goes through.
    expect(await (await track(complete(port, '/discord/interactions', 1024))).status(5000)).toBe(200);
    for (const h of held) {
      expect(h.response).toBe('');
      expect(h.isClosed).toBe(false);
    }
    // A held body that finishes is answered, and what it held is free again.
    held[2]!.socket.write('x'.repeat(30 * 1024));
    expect(await held[2]!.status(5000)).toBe(200);
    expect(await (await track(complete(port, '/discord/interactions', 60 * 1024))).status(5000)).toBe(200);
  });

  it('a body that stops half way is cut off after the request timeout', async () => {
    const port = await serve({ requestTimeoutMs: 400, headersTimeoutMs: 400, timeoutCheckMs: 50 });
    const conn = await track(halfSent(port, '/discord/interactions', 10 * 1024));
    // Node answers 408 and closes; generous bound, as the timeout is checked on an interval.
    expect(await conn.status(10_000)).toBe(408);
    await expect.poll(() => conn.isClosed, { timeout: 5000 }).toBe(true);
  });

  it('uses 10 s timeouts, a 5 s keep-alive and 4,096 connections by default', async () => {
    const server = createHttpServer({ routes: {}, log: createLogger('silent'), isReady: () => true });
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout, server.maxConnections]).toEqual([
      10_000, 10_000, 5_000, 4_096,
    ]);
  });
});
