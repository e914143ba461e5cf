/**
 * A loopback fake of Discord's gateway, so a real discord.js Client can shard against it: HTTP
 * `GET /api/v10/gateway/bot` recommends `shards` and points at this server's WebSocket, which
 * speaks the gateway protocol (v10, JSON): HELLO, IDENTIFY (its `shard` recorded), heartbeats
 * acknowledged, READY, RESUME answered with RESUMED, and dispatches sent by the test on one shard's
 * socket. Every other REST request is forwarded to `rest` (a FakeDiscordApi), so one API base serves
 * the client: the interaction callbacks land in that fake's records as in the other Discord tests.
 *
 * Encoding: JSON text frames. discord.js 14 asks for `compress=zlib-stream` only when the optional
 * `zlib-sync` package is installed (it is not here); if it does, this fake answers in binary frames
 * from one deflate context, each message ending in a sync flush, as Discord does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, createDeflate } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';
import { pollFor } from '../helpers/wait.js';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 };

export interface FakeGatewayOptions {
  /** What GET /gateway/bot recommends. */
  shards?: number;
  /** session_start_limit.max_concurrency: identifies per 5 s (discord.js spaces the rest). */
  maxConcurrency?: number;
  /** HELLO's heartbeat_interval; Discord's is 41,250 ms. */
  heartbeatIntervalMs?: number;
  /** Base of the REST fake that answers everything but /gateway and /gateway/bot. */
  rest?: string;
  /** Close with 4011 when IDENTIFY asks for fewer shards than recommended, as Discord does for a bot in too many guilds. */
  requireSharding?: boolean;
  /** READY's application id (the tests' APP by default). */
  applicationId?: string;
}

/** One WebSocket connection, from open to close. */
export interface GatewayConnection {
  socket: WebSocket;
  query: URLSearchParams;
  /** IDENTIFY's `d.shard`, or the resumed session's. */
  shard?: [number, number];
  sessionId?: string;
  /** Last sequence number sent. */
  seq: number;
  heartbeats: number;
  /** The close code, once closed (by either side). */
  closeCode?: number;
  send(payload: unknown): void;
}

export class FakeDiscordGateway {
  readonly connections: GatewayConnection[] = [];
  /** Every IDENTIFY's `d`, in arrival order. */
  readonly identifies: { shard?: [number, number]; intents: number; token: string }[] = [];
  /** Every RESUME's `d`, in arrival order. */
  readonly resumes: { session_id: string; seq: number; token: string }[] = [];
  readonly gatewayBotCalls: number[] = [];
  /** Sequence reached by each session, so a RESUME continues it. */
  private readonly sessions = new Map<string, { shard: [number, number]; seq: number }>();
  private readonly o: Required<Omit<FakeGatewayOptions, 'rest'>> & { rest?: string };
  private server?: Server;
  private wss?: WebSocketServer;
  /** REST base for the client (`rest.api`): http://127.0.0.1:PORT/api */
  url = '';
  /** What GET /gateway/bot gives as `url`. */
  wsUrl = '';

  constructor(o: FakeGatewayOptions = {}) {
    this.o = {
      shards: 2,
      maxConcurrency: 1,
      heartbeatIntervalMs: 41_250,
      requireSharding: false,
      applicationId: '444444444444444444',
      ...o,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.http(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (socket, req) => this.connect(socket, req));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/api`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    return this;
  }

  /** Connections not closed yet. */
  open(): GatewayConnection[] {
    return this.connections.filter((c) => c.closeCode === undefined);
  }

  /** The shard Discord routes a guild's events to: (guild_id >> 22) % shard count. */
  static shardOf(guildId: string, shardCount: number): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
  }

  /** The open, identified (or resumed) connection of a shard; throws if there is none. */
  connectionOf(shardId: number): GatewayConnection {
    const c = this.open().findLast((x) => x.shard?.[0] === shardId);
    if (!c) throw new Error(`no open connection for shard ${shardId}`);
    return c;
  }

  /** Sends a dispatch (op 0) with the next sequence number on the shard's socket. */
  dispatch(shardId: number, t: string, d: unknown): void {
    const c = this.connectionOf(shardId);
    c.seq += 1;
    this.sessions.get(c.sessionId!)!.seq = c.seq;
    c.send({ op: Op.Dispatch, t, s: c.seq, d });
  }

  /** Closes the shard's socket from the server side (4000 "unknown error": the client resumes). */
  drop(shardId: number, code = 4000): void {
    this.connectionOf(shardId).socket.close(code, 'fake gateway dropped the connection');
  }

  /** Waits until `pred` holds (the protocol runs on discord.js's timers, so tests wait on state). */
  async waitFor<T>(pred: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    return pollFor(
      () => pred() || undefined,
      () =>
        `${what}: still waiting; identifies ${JSON.stringify(this.identifies.map((i) => i.shard))}, ` +
        `open sockets ${this.open().length}`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    for (const c of this.open()) c.socket.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private http(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').replace(/^\/api(\/v\d+)?/, '').replace(/\?.*$/, '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      if (path === '/gateway') return json(200, { url: this.wsUrl });
      if (!req.headers.authorization?.startsWith('Bot ')) return json(401, { message: '401: Unauthorized', code: 0 });
      this.gatewayBotCalls.push(Date.now());
      return json(200, {
        url: this.wsUrl,
        shards: this.o.shards,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: this.o.maxConcurrency },
      });
    }
    if (!this.o.rest) return json(404, { message: 'Unknown route in fake gateway', code: 0 });
    // Everything else is the REST fake's: same path, same headers, same body.
    const upstream = new URL(req.url ?? '/', this.o.rest);
    const forward = request(upstream, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', (e) => json(502, { message: `fake gateway could not reach the REST fake: ${e.message}` }));
    req.pipe(forward);
  }

  private connect(socket: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', 'ws://fake').searchParams;
    const compress = query.get('compress') === 'zlib-stream' ? zlibStream() : undefined;
    let outbox = Promise.resolve();
    const c: GatewayConnection = {
      socket,
      query,
      seq: 0,
      heartbeats: 0,
      send: (payload) => {
        const text = JSON.stringify(payload);
        if (!compress) return void socket.send(text);
        // Each message goes out whole and in order, however long its deflate takes.
        outbox = outbox.then(async () => {
          const frame = await compress(text);
          if (socket.readyState === socket.OPEN) socket.send(frame);
        });
      },
    };
    this.connections.push(c);
    socket.on('close', (code) => (c.closeCode = code));
    if (query.get('v') !== '10' || query.get('encoding') !== 'json') {
      // Discord answers an unknown version with 4012; the fake speaks only JSON.
      socket.close(4012, `fake gateway speaks v=10&encoding=json, got ${query.toString()}`);
      return;
    }
    socket.on('message', (data, isBinary) => {
      if (isBinary) return void socket.close(4002, 'fake gateway reads JSON text frames');
      let msg: { op: number; d: unknown };
      try {
        msg = JSON.parse(String(data)) as { op: number; d: unknown };
      } catch {
        return void socket.close(4002, 'decode error');
      }
      this.receive(c, msg);
    });
    c.send({ op: Op.Hello, d: { heartbeat_interval: this.o.heartbeatIntervalMs }, s: null, t: null });
  }

  private receive(c: GatewayConnection, msg: { op: number; d: unknown }): void {
    switch (msg.op) {
      case Op.Heartbeat:
        c.heartbeats += 1;
        c.send({ op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify: {
        const d = msg.d as { token: string; intents: number; shard?: [number, number] };
        this.identifies.push({ token: d.token, intents: d.intents, ...(d.shard ? { shard: d.shard } : {}) });
        if (c.sessionId) return void c.socket.close(4005, 'already authenticated');
        const shard = d.shard ?? [0, 1];
        if (shard[0] < 0 || shard[0] >= shard[1]) return void c.socket.close(4010, 'invalid shard');
        if (this.o.requireSharding && shard[1] < this.o.shards) return void c.socket.close(4011, 'sharding required');
        c.shard = shard;
        c.sessionId = randomUUID().replaceAll('-', '');
        c.seq = 1;
        this.sessions.set(c.sessionId, { shard, seq: c.seq });
        c.send({
          op: Op.Dispatch,
          t: 'READY',
          s: c.seq,
          d: {
            v: 10,
            user: {
              id: this.o.applicationId,
              username: 'whichgpu',
              discriminator: '0',
              global_name: null,
              avatar: null,
              bot: true,
              flags: 0,
            },
            guilds: [],
            session_id: c.sessionId,
            resume_gateway_url: this.wsUrl,
            shard,
            application: { id: this.o.applicationId, flags: 0 },
          },
        });
        return;
      }
      case Op.Resume: {
        const d = msg.d as { token: string; session_id: string; seq: number };
        this.resumes.push(d);
        const session = this.sessions.get(d.session_id);
        // Not resumable: discord.js identifies afresh after op 9 with d false.
        if (!session) return void c.send({ op: Op.InvalidSession, d: false, s: null, t: null });
        c.shard = session.shard;
        c.sessionId = d.session_id;
        c.seq = session.seq + 1;
        session.seq = c.seq;
        c.send({ op: Op.Dispatch, t: 'RESUMED', s: c.seq, d: {} });
        return;
      }
      default:
        // Discord closes with 4001 on an opcode it does not take; the fake takes no others.
        c.socket.close(4001, `fake gateway does not take op ${msg.op}`);
    }
  }
}

/**
 * Discord's zlib-stream transport compression: one deflate context for the connection's life, each
 * message flushed with Z_SYNC_FLUSH so it ends in 00 00 ff ff.
 */
function zlibStream(): (text: string) => Promise<Buffer> {
  const deflate = createDeflate();
  let last: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  return (text) =>
    (last = last.then(
      () =>
        new Promise<Buffer>((resolve) => {
          deflate.write(text);
          // The flush callback runs after the output is pushed, so read() drains this message whole.
          deflate.flush(constants.Z_SYNC_FLUSH, () => {
            const out: Buffer[] = [];
            for (let b: Buffer | null; (b = deflate.read() as Buffer | null) !== null;) out.push(b);
            resolve(Buffer.concat(out));
          });
        }),
    ));
}
