/**
 * A loopback fake of the Hugging Face Hub with its real response shapes: model info
 * (`/api/models/{repo}`: safetensors / gguf totals, siblings, gated), the tree
 * (`/api/models/{repo}/tree/main?recursive=true`: entries with `lfs: {oid, size, pointerSize}`,
 * paged by a Link header), `/api/datasets/{repo}`, and `resolve`: small files answered directly, LFS
 * files 302 to a storage fake on another origin; unknown repos are 401/404 with
 * `X-Error-Code: RepoNotFound` and gated ones 401/403 `GatedRepo`, as the Hub answers them.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBlobStorage, streamHuge, type Recorded } from './blob-storage.js';

export interface FakeFile {
  path: string;
  size: number;
  /** First bytes of an LFS file (a GGUF header), served through the storage fake. */
  head?: Uint8Array;
  /** A small file kept in git (config.json), served by `resolve` itself. */
  text?: string;
}

export interface FakeRepo {
  id: string;
  gated?: 'manual' | 'auto';
  pipelineTag?: string;
  safetensorsTotal?: number;
  gguf?: { total: number; architecture: string; context_length: number };
  files: FakeFile[];
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export class FakeHfHub {
  readonly requests: Recorded[] = [];
  readonly repos = new Map<string, FakeRepo>();
  readonly datasets = new Set<string>();
  readonly storage = new FakeBlobStorage();
  /** The token that has access to every gated repo. */
  goodToken = 'hf_GoodTokenWithAccess0123456789';
  /** Per path regex: 'stall' never answers, '500' fails, 'huge' streams 2 GB, 'foreign' 302s to storage, 'loop' 302s to itself. */
  readonly faults: { path: RegExp; fault: 'stall' | '500' | 'huge' | 'foreign' | 'not-json' | 'loop' }[] = [];
  /** Tree entries per page (the Hub pages long listings with a Link header). */
  pageSize = 1000;
  /** Sizes the tree states for LFS files, when a test wants the tree to lie. */
  treeSize?: (f: FakeFile) => unknown;
  private server?: Server;
  url = '';

  add(repo: FakeRepo): this {
    this.repos.set(repo.id, repo);
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

  /** Per path regex: answer after this many milliseconds (a slow Hub, within the lookup's deadlines). */
  readonly delays: { path: RegExp; ms: number }[] = [];

  private handle(req: IncomingMessage, res: ServerResponse) {
    const path = decodeURIComponent(new URL(req.url ?? '/', this.url).pathname);
    const ms = this.delays.find((d) => d.path.test(path))?.ms;
    if (ms) setTimeout(() => this.handleNow(req, res), ms);
    else this.handleNow(req, res);
  }

  private handleNow(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers });
    res.on('error', () => {});
    const fault = this.faults.find((f) => f.path.test(path))?.fault;
    if (fault === 'stall') return;
    if (fault === '500') return json(res, 500, { error: 'Internal Error' });
    if (fault === 'huge') return streamHuge(res, () => {});
    if (fault === 'not-json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "trunc');
    if (fault === 'loop') return void res.writeHead(302, { location: url.pathname + url.search }).end();
    if (fault === 'foreign') {
      const to = this.storage.put('config-' + path, { head: Buffer.from('{"hidden_size": 1}'), size: 18 });
      return void res.writeHead(302, { location: to }).end();
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    let m = /^\/api\/datasets\/([^/]+\/[^/]+)$/.exec(path);
    if (m)
      return this.datasets.has(m[1]!)
        ? json(res, 200, { id: m[1], _id: sha(m[1]!).slice(0, 24) })
        : notFound(res, token);
    m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(path);
    if (m) return this.tree(res, url, m[1]!, token);
    m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/[^/]+)?$/.exec(path);
    if (m) return this.info(res, m[1]!, token);
    m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    if (m) return this.resolve(res, m[1]!, m[2]!, token);
    json(res, 404, { error: "Sorry, we can't find the page you are looking for." });
  }

  private info(res: ServerResponse, id: string, token: string | undefined) {
    const repo = this.repos.get(id);
    if (!repo) return notFound(res, token);
    json(res, 200, {
      _id: sha(id).slice(0, 24),
      id,
      author: id.split('/')[0],
      gated: repo.gated ?? false,
      private: false,
      disabled: false,
      downloads: 1234,
      likes: 56,
      library_name: repo.gguf ? 'gguf' : 'transformers',
      pipeline_tag: repo.pipelineTag ?? 'text-generation',
      tags: repo.gguf ? ['gguf', 'text-generation'] : ['transformers', 'safetensors', 'text-generation'],
      sha: sha(id + 'rev'),
      createdAt: '2026-09-01T00:00:00.000Z',
      lastModified: '2026-11-01T00:00:00.000Z',
      siblings: [{ rfilename: '.gitattributes' }, ...repo.files.map((f) => ({ rfilename: f.path }))],
      ...(repo.safetensorsTotal
        ? { safetensors: { parameters: { BF16: repo.safetensorsTotal }, total: repo.safetensorsTotal } }
        : {}),
      ...(repo.gguf ? { gguf: repo.gguf } : {}),
    });
  }

  private tree(res: ServerResponse, url: URL, id: string, token: string | undefined) {
    const repo = this.repos.get(id);
    if (!repo) return notFound(res, token);
    const entries: unknown[] = [{ type: 'file', oid: sha('.gitattributes'), size: 1519, path: '.gitattributes' }];
    const dirs = new Set(repo.files.map((f) => f.path.split('/').slice(0, -1).join('/')).filter(Boolean));
    for (const d of dirs) entries.push({ type: 'directory', oid: sha(d), size: 0, path: d });
    for (const f of repo.files) {
      const size = this.treeSize && !f.text ? this.treeSize(f) : f.size;
      entries.push(
        f.text
          ? { type: 'file', oid: sha(f.path), size: f.size, path: f.path }
          : {
              type: 'file',
              oid: sha(f.path),
              size,
              path: f.path,
              lfs: { oid: sha(f.path + 'lfs'), size, pointerSize: 135 },
            },
      );
    }
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const page = entries.slice(cursor, cursor + this.pageSize);
    const headers: Record<string, string> = {};
    if (cursor + this.pageSize < entries.length)
      headers.link = `<${this.url}/api/models/${id}/tree/main?recursive=true&expand=false&cursor=${cursor + this.pageSize}>; rel="next"`;
    json(res, 200, page, headers);
  }

  private resolve(res: ServerResponse, id: string, path: string, token: string | undefined) {
    const repo = this.repos.get(id);
    if (!repo) return notFound(res, token);
    if (repo.gated && token !== this.goodToken)
      return json(
        res,
        token ? 403 : 401,
        { error: `Access to model ${id} is restricted.` },
        { 'x-error-code': 'GatedRepo' },
      );
    const file = repo.files.find((f) => f.path === path);
    if (!file) return json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
    if (file.text !== undefined)
      return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(file.text);
    const to = this.storage.put(`${id}/${path}`, { head: file.head ?? new Uint8Array(0), size: file.size });
    res.writeHead(302, { location: to, 'x-linked-size': String(file.size) }).end();
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** The Hub answers an unknown (or private) repo 401 to a caller without a token, 404 with one. */
function notFound(res: ServerResponse, token: string | undefined) {
  json(
    res,
    token ? 404 : 401,
    { error: 'Repository Not Found' },
    { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' },
  );
}
