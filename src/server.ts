/**
 * The one HTTP server on PORT: POST /discord/interactions, POST /slack/events, GET /healthz (the
 * process is up and accepting), GET /readyz (and its store answers).
 * Bodies are read raw (signatures are over the exact bytes) and capped; an unexpected error is
 * logged once with a reference id and answered 500 without details.
 *
 * Nothing is authenticated until its body has been read, so what unauthenticated requests can hold
 * is bounded: each route's body cap (413 from the Content-Length, before reading), one budget for
 * all bodies in flight (503 with Retry-After past it), 10 s to send a whole request, and a cap on
 * connections. 3,000 half-sent 256 KB bodies took the server from 73 to 844 MB before these.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from './log.js';

export interface RouteResponse {
  status: number;
  /**
   * JSON-serialised, unless it is a Buffer, or a list of Buffers sent one after the other: then it
   * is sent as it is, as JSON unless `headers` give another content-type. A Discord answer with a
   * chart is multipart/form-data in parts, so the cached PNG is written without being copied.
   */
  body?: unknown;
  headers?: Record<string, string>;
}
export type Route = (req: IncomingMessage, body: Buffer) => Promise<RouteResponse>;

/** Slack's largest payloads (a block action carries the whole message and view) stay well under this. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpLimits {
  /** Body cap per path; MAX_BODY_BYTES for a path not listed. */
  bodyBytes: Record<string, number>;
  /**
   * Body bytes all requests may hold at once, counted from each Content-Length (the route's cap
   * when the body is chunked) from its headers until its response ends.
   */
  bufferedBytes: number;
  /** A body declared larger than this may only use the first half of bufferedBytes: the rest stays for small ones. */
  smallBodyBytes: number;
  /** Time to receive a whole request, headers and body (408 and closed past it). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would triple them). */
  timeoutCheckMs: number;
  keepAliveTimeoutMs: number;
  /** Connections past this are closed as they are accepted. */
  maxConnections: number;
}

/**
 * Discord interactions are a few KB: this bot has no modals or message commands, so the largest
 * is a button click carrying one of its own messages (embeds are capped at 6,000 characters), under
 * 16 KB; 64 KB leaves room for four times that. 32 MB of bodies in flight is ~2,000 interactions at
 * once, or 64 of the largest Slack bodies (they take half). A connection costs ~6 KB of RSS before
 * any body (measured with 3,000 held open): 4,096 of them stay under ~30 MB, so the worst case is
 * ~60 MB over an idle server. A cap on connections cannot stop a client that opens that many (only
 * a proxy in front can); the timeouts make each one last 10 s at most, or 5 s idle between requests.
 */
export const HTTP_LIMITS: HttpLimits = {
  bodyBytes: { '/discord/interactions': 64 * 1024 },
  bufferedBytes: 32 * 1024 * 1024,
  smallBodyBytes: 16 * 1024,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  timeoutCheckMs: 1_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
};

export interface HttpServerOptions {
  routes: Record<string, Route>;
  /** Paths handed to another listener untouched (Bolt's HTTPReceiver verifies and parses its own). */
  rawRoutes?: Record<string, RequestListener>;
  log: Logger;
  isReady: () => boolean;
  /** /readyz's check beyond isReady: the store answers a trivial read. */
  storeReady?: () => Promise<boolean>;
  /** Overrides of HTTP_LIMITS (tests shorten the timeouts). */
  limits?: Partial<HttpLimits>;
}

export function createHttpServer(o: HttpServerOptions): Server {
  const limits = { ...HTTP_LIMITS, ...o.limits };
  const budget = new BodyBudget(limits.bufferedBytes, limits.smallBodyBytes);
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckMs,
    },
    (req, res) => {
      const requestId = randomUUID();
      const path = (req.url ?? '/').split('?')[0]!;
      const send = responder(res, requestId);
      if (req.method === 'GET' && path === '/healthz') {
        send(o.isReady() ? { status: 200, body: { ok: true } } : { status: 503, body: { ok: false } });
        return;
      }
      if (req.method === 'GET' && path === '/readyz') {
        const up = o.isReady();
        void (up && o.storeReady ? o.storeReady() : Promise.resolve(up)).then((store) =>
          send(
            up && store
              ? { status: 200, body: { ok: true } }
              : { status: 503, body: { ok: false, ...(up ? { store: 'unavailable' } : { stopping: true }) } },
          ),
        );
        return;
      }
      const raw = o.rawRoutes?.[path];
      const route = req.method === 'POST' ? o.routes[path] : undefined;
      if (!raw && !route) {
        req.resume();
        send({ status: o.routes[path] ? 405 : 404, body: { error: 'not found' } });
        return;
      }
      const cap = limits.bodyBytes[path] ?? MAX_BODY_BYTES;
      if (!admitBody(req, res, cap, budget)) return;
      if (raw) {
        res.setHeader('x-request-id', requestId);
        raw(req, res);
        return;
      }
      readBody(
        req,
        res,
        (body) => {
          route!(req, body).then(send, (e: unknown) => {
            o.log.error({ err: e, requestId, path }, 'request failed');
            send({ status: 500, body: { error: 'internal error', requestId } });
          });
        },
        cap,
      );
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}

/** Sends a route's answer (JSON unless its headers say otherwise) with a Content-Length (every answer's length is known). */
function responder(res: ServerResponse, requestId: string): (r: RouteResponse) => void {
  return (r) => {
    if (res.headersSent) return;
    const parts = isBuffers(r.body)
      ? r.body
      : [Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body === undefined ? '' : JSON.stringify(r.body))];
    const headers = {
      'content-type': 'application/json',
      'content-length': String(parts.reduce((n, p) => n + p.length, 0)),
      'x-request-id': requestId,
    };
    res.writeHead(r.status, r.headers ? { ...headers, ...r.headers } : headers);
    if (parts.length === 1) return void res.end(parts[0]);
    // One write to the socket for all the parts.
    res.cork();
    for (const p of parts) res.write(p);
    res.end();
  };
}

const isBuffers = (b: unknown): b is Buffer[] => Array.isArray(b) && b.every((x) => Buffer.isBuffer(x));

/**
 * Whether a body may be read: a declared length over the route's cap gets 413, and a body that
 * would overdraw the budget of bytes in flight 503, both before a byte of it is read (the
 * connection closes, so nothing more is read either). An admitted body holds its share until the
 * response closes.
 */
function admitBody(req: IncomingMessage, res: ServerResponse, cap: number, budget: BodyBudget): boolean {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > cap) return (refuse(res, 413, { error: 'body too large' }), false);
  // Without a length a body is chunked (it may take the whole cap) or absent.
  const reserved = declared ?? (req.headers['transfer-encoding'] === undefined ? 0 : cap);
  if (!budget.take(reserved)) return (refuse(res, 503, { error: 'busy' }, { 'retry-after': '1' }), false);
  res.once('close', () => budget.give(reserved));
  return true;
}

/** Answers without reading the body and closes the connection, so the rest of it is never read. */
function refuse(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(bytes.length),
    connection: 'close',
    ...headers,
  });
  res.end(bytes);
}

/** Bytes of request bodies in flight, with half of it kept for small bodies. */
class BodyBudget {
  private used = 0;

  constructor(
    private readonly bytes: number,
    private readonly smallBytes: number,
  ) {}

  take(n: number): boolean {
    if (this.used + n > (n > this.smallBytes ? this.bytes / 2 : this.bytes)) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }
}

/**
 * Reads a request body under `limit` bytes; past it, answers 413 and drops the connection
 * without reading the rest. Calls `done` with the body otherwise.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  done: (body: Buffer) => void,
  limit = MAX_BODY_BYTES,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c: Buffer) => {
    if (tooLarge) return;
    size += c.length;
    if (size > limit) {
      tooLarge = true;
      if (!res.headersSent) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'body too large' }));
      }
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    if (!tooLarge) done(Buffer.concat(chunks));
  });
}
