/**
 * A loopback fake of the Ollama registry with its real shapes: `GET /v2/{ns}/{name}/manifests/{tag}`
 * answers a Docker v2 manifest whose layers carry Ollama media types and sizes, an unknown tag the
 * registry's 404 `MANIFEST_UNKNOWN`, and `GET /v2/{ns}/{name}/blobs/{digest}` a 307 to a storage fake
 * on another origin that honours Range.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBlobStorage, type Recorded } from './blob-storage.js';

export interface FakeTag {
  /** "library/qwen3:8b" */
  ref: string;
  weights: { head: Uint8Array; size: number };
  projector?: { size: number };
  config: Record<string, unknown>;
}

const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

export class FakeOllamaRegistry {
  readonly requests: Recorded[] = [];
  readonly storage = new FakeBlobStorage();
  private readonly tags = new Map<string, FakeTag>();
  private readonly blobs = new Map<string, { head: Uint8Array; size: number }>();
  /** 'stall' never answers a manifest, '500' fails it. */
  fault: 'stall' | '500' | undefined;
  private server?: Server;
  url = '';

  add(tag: FakeTag): this {
    this.tags.set(tag.ref, tag);
    return this;
  }

  async start(): Promise<this> {
    await this.storage.start();
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
    await this.storage.stop();
  }

  private manifest(tag: FakeTag) {
    const config = JSON.stringify(tag.config);
    const configDigest = digest(config);
    const weightsDigest = digest(tag.ref + 'weights');
    this.blobs.set(configDigest, { head: Buffer.from(config), size: Buffer.byteLength(config) });
    this.blobs.set(weightsDigest, tag.weights);
    const layers = [
      { mediaType: 'application/vnd.ollama.image.model', digest: weightsDigest, size: tag.weights.size },
      ...(tag.projector
        ? [
            {
              mediaType: 'application/vnd.ollama.image.projector',
              digest: digest(tag.ref + 'proj'),
              size: tag.projector.size,
            },
          ]
        : []),
      { mediaType: 'application/vnd.ollama.image.template', digest: digest(tag.ref + 'tpl'), size: 1231 },
      { mediaType: 'application/vnd.ollama.image.license', digest: digest(tag.ref + 'lic'), size: 11338 },
      { mediaType: 'application/vnd.ollama.image.params', digest: digest(tag.ref + 'par'), size: 148 },
    ];
    return {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: configDigest,
        size: Buffer.byteLength(config),
      },
      layers,
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
    res.on('error', () => {});
    let m = /^\/v2\/([^/]+)\/([^/]+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (m) {
      if (this.fault === 'stall') return;
      if (this.fault === '500') return void res.writeHead(500).end('upstream error');
      const tag = this.tags.get(`${m[1]}/${m[2]}:${m[3]}`);
      if (!tag)
        return void res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
      return void res
        .writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' })
        .end(JSON.stringify(this.manifest(tag)));
    }
    m = /^\/v2\/([^/]+)\/([^/]+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    const blob = m ? this.blobs.get(m[3]!) : undefined;
    if (!m || !blob) return void res.writeHead(404).end();
    const to = this.storage.put(m[3]!, blob);
    res.writeHead(307, { location: to }).end();
  }
}
