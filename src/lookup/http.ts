/**
 * The one way src/lookup/ talks to the network: a GET with a deadline per request and one for the
 * whole lookup, a cap on the bytes read (a server that sends 2 GB is cut off at the cap, whatever
 * its Content-Length says), redirects followed by hand (at most `limits.redirects`), and the
 * Authorization header added per hop only where `authFor` allows it, so a token given for the Hub
 * never follows a redirect to a CDN or a foreign host. Failures are thrown as LookupFailure with a
 * message naming the host and path asked, never the query string (signed CDN URLs) or a header.
 */
import { LookupFailure, type LookupLimits, type LookupStats } from './lookup-types.js';

export interface HttpOptions {
  fetch?: typeof fetch | undefined;
  limits: LookupLimits;
  /** The whole lookup's deadline; every request also gets its own. */
  signal: AbortSignal;
  stats: LookupStats;
  /** The Authorization value for a request to this URL, if any (checked at every hop). */
  authFor?: (url: URL) => string | undefined;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Where the answer came from, after redirects. */
  url: URL;
}

interface GetOptions {
  headers?: Record<string, string>;
  /** Bytes read at most; past it the body is cut and the request fails TOO_LARGE. */
  cap: number;
  /**
   * A ranged read: at most `length` bytes are kept and the rest is not read. A 200 (a server that
   * ignored Range) is read from its start, skipping `start` bytes; `cap` still bounds what is read.
   */
  range?: { start: number; length: number };
}

/** "host/path" of a URL: enough to say what was asked, without a signed query string. */
export const describe = (url: URL): string => `${url.host}${url.pathname}`;

export class Http {
  private readonly fetchImpl: typeof fetch;
  /** Ranged reads of one file go straight to where its first read was redirected. */
  private readonly resolved = new Map<string, URL>();

  constructor(private readonly o: HttpOptions) {
    this.fetchImpl = o.fetch ?? fetch;
  }

  /** GET with redirects followed; any status is returned (the caller decides what 404 means). */
  async get(input: string | URL, opts: GetOptions): Promise<HttpReply> {
    const start = new URL(input);
    let url = this.resolved.get(start.href) ?? start;
    const requestSignal = AbortSignal.timeout(this.o.limits.requestMs);
    const signal = AbortSignal.any([this.o.signal, requestSignal]);
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new LookupFailure('UPSTREAM', `${describe(start)} redirected to a ${url.protocol} URL`);
      const headers: Record<string, string> = { ...opts.headers };
      const auth = this.o.authFor?.(url);
      if (auth) headers.authorization = auth;
      if (this.o.signal.aborted) throw this.failure(this.o.signal.reason, url, requestSignal);
      if (this.o.stats.requests >= this.o.limits.requests)
        throw new LookupFailure(
          'UPSTREAM',
          `${describe(start)} was still being asked after ${this.o.limits.requests} requests; the lookup stopped there`,
        );
      this.o.stats.requests++;
      let res: Response;
      try {
        res = await this.fetchImpl(url, { headers, redirect: 'manual', signal });
      } catch (e) {
        throw this.failure(e, url, requestSignal);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => {});
        if (hop >= this.o.limits.redirects)
          throw new LookupFailure(
            'UPSTREAM',
            `${describe(start)} redirected more than ${this.o.limits.redirects} times`,
          );
        try {
          url = new URL(location, url);
        } catch {
          throw new LookupFailure('UPSTREAM', `${describe(url)} redirected to an address that is no URL`);
        }
        continue;
      }
      if (url !== start && (res.status === 200 || res.status === 206)) this.resolved.set(start.href, url);
      const body = await this.read(res, url, opts, requestSignal);
      return { status: res.status, headers: res.headers, body, url };
    }
  }

  /** GET of a JSON document; 200 only (other statuses are returned for the caller to map). */
  async json(url: string | URL, headers: Record<string, string> = {}): Promise<{ reply: HttpReply; data?: unknown }> {
    const reply = await this.get(url, {
      cap: this.o.limits.jsonBytes,
      headers: { accept: 'application/json', ...headers },
    });
    if (reply.status !== 200) return { reply };
    try {
      return { reply, data: JSON.parse(new TextDecoder().decode(reply.body)) as unknown };
    } catch {
      throw new LookupFailure('BAD_DATA', `${describe(reply.url)} answered with a body that is not JSON`);
    }
  }

  private async read(res: Response, url: URL, opts: GetOptions, requestSignal: AbortSignal): Promise<Uint8Array> {
    const declared = Number(res.headers.get('content-length'));
    const skip = opts.range && res.status === 200 ? opts.range.start : 0;
    const keep = opts.range?.length ?? Infinity;
    if (!opts.range && Number.isFinite(declared) && declared > opts.cap) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge(url, opts.cap);
    }
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const parts: Uint8Array[] = [];
    let kept = 0;
    let seen = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.o.stats.bytes += value.byteLength;
        const from = Math.max(0, skip - seen);
        seen += value.byteLength;
        if (from >= value.byteLength) continue;
        const chunk = value.subarray(from, from + Math.min(value.byteLength - from, keep - kept));
        parts.push(chunk);
        kept += chunk.byteLength;
        if (kept >= keep) break;
        if (kept > opts.cap || seen > opts.cap + skip) throw tooLarge(url, opts.cap);
      }
    } catch (e) {
      throw e instanceof LookupFailure ? e : this.failure(e, url, requestSignal);
    } finally {
      reader.cancel().catch(() => {});
    }
    const out = new Uint8Array(kept);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  private failure(e: unknown, url: URL, requestSignal: AbortSignal): LookupFailure {
    if (e instanceof LookupFailure) return e;
    if (this.o.signal.aborted)
      return new LookupFailure(
        'TIMEOUT',
        `the lookup ran out of its ${this.o.limits.totalMs} ms while asking ${describe(url)}`,
      );
    if (requestSignal.aborted)
      return new LookupFailure('TIMEOUT', `${describe(url)} did not answer within ${this.o.limits.requestMs} ms`);
    const cause = (e as { cause?: { code?: unknown } }).cause?.code;
    return new LookupFailure(
      'UPSTREAM',
      `could not reach ${describe(url)}${typeof cause === 'string' ? ` (${cause})` : ''}`,
    );
  }
}

const tooLarge = (url: URL, cap: number) =>
  new LookupFailure('TOO_LARGE', `${describe(url)} sent more than ${Math.round(cap / 1024)} KiB; the read was cut off`);

/** Maps a status the caller did not expect to an error: 401/403 GATED, 404 NOT_FOUND, the rest UPSTREAM. */
export function statusFailure(reply: HttpReply, what: string): LookupFailure {
  const s = reply.status;
  if (s === 404) return new LookupFailure('NOT_FOUND', `${what} was not found (${describe(reply.url)} answered 404)`);
  if (s === 401 || s === 403)
    return new LookupFailure('GATED', `${what} needs access (${describe(reply.url)} answered ${s})`);
  return new LookupFailure('UPSTREAM', `${describe(reply.url)} answered ${s} for ${what}`);
}
