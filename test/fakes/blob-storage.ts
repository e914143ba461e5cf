/**
 * A loopback fake of the storage behind the Hub's `resolve` 302 and the Ollama registry's blob 307
 * (a CDN / object store on another origin): serves virtual files whose first bytes are given and the
 * rest zeros, honours `Range` with `Content-Range: bytes a-b/total` stating the real size, records
 * every request with its headers (so a test can see no Authorization arrived), and misbehaves on
 * demand: stall, 500, ignore Range, lie about the size, or stream 2 GB.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface StoredFile {
  /** The file's first bytes (a GGUF header); the rest up to `size` reads as zeros. */
  head: Uint8Array;
  size: number;
}

export type Fault = 'stall' | '500' | 'ignore-range' | 'lie-size' | 'huge' | 'long-range';

export class FakeBlobStorage {
  readonly requests: Recorded[] = [];
  readonly files = new Map<string, StoredFile>();
  /** Bytes written in answers, headers excluded. */
  bytesSent = 0;
  fault: Fault | undefined;
  private server?: Server;
  url = '';

  put(key: string, file: StoredFile): string {
    this.files.set(key, file);
    return `${this.url}/blob/${encodeURIComponent(key)}?X-Amz-Signature=abc&Expires=9999999999`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
    const file = this.files.get(decodeURIComponent(url.pathname.replace(/^\/blob\//, '')));
    if (this.fault === 'stall') return;
    if (this.fault === '500') return void res.writeHead(500).end('oops');
    if (this.fault === 'huge') return streamHuge(res, (n) => (this.bytesSent += n));
    if (!file) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
    if (!range || this.fault === 'ignore-range') {
      res.writeHead(200, { 'content-length': String(file.size), 'content-type': 'application/octet-stream' });
      return streamFile(res, file, 0, file.size - 1, (n) => (this.bytesSent += n));
    }
    const start = Number(range[1]);
    if (start >= file.size) return void res.writeHead(416, { 'content-range': `bytes */${file.size}` }).end();
    const end = Math.min(range[2] ? Number(range[2]) : file.size - 1, file.size - 1);
    const stated = this.fault === 'lie-size' ? 1000 : file.size;
    const last = this.fault === 'long-range' ? Math.min(file.size - 1, end + 5_000_000) : end;
    res.writeHead(206, {
      'content-range': `bytes ${start}-${end}/${stated}`,
      'content-length': String(last - start + 1),
      'content-type': 'application/octet-stream',
    });
    streamFile(res, file, start, last, (n) => (this.bytesSent += n));
  }
}

/** Writes bytes start..end of the file in 64 KiB pieces, with backpressure, until done or the client leaves. */
function streamFile(res: ServerResponse, file: StoredFile, start: number, end: number, sent: (n: number) => void) {
  let at = start;
  const step = () => {
    while (at <= end && !res.destroyed) {
      const n = Math.min(65536, end - at + 1);
      const piece = Buffer.alloc(n);
      if (at < file.head.length) Buffer.from(file.head.subarray(at, Math.min(file.head.length, at + n))).copy(piece);
      at += n;
      sent(n);
      if (!res.write(piece)) return void res.once('drain', step);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => {});
  step();
}

/** 2 GB of zeros with no Content-Length, as fast as the client reads, stopping when it hangs up. */
export function streamHuge(res: ServerResponse, sent: (n: number) => void) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const piece = Buffer.alloc(65536, 0x20);
  let left = 2 * 1024 ** 3;
  const step = () => {
    while (left > 0 && !res.destroyed) {
      left -= piece.length;
      sent(piece.length);
      if (!res.write(piece)) return void res.once('drain', step);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => {});
  res.on('close', () => (left = 0));
  step();
}
