/**
 * A loopback fake of the Slack Web API and of response_url, recording every call, so Bolt's own
 * WebClient and respond() are exercised for real without leaving 127.0.0.1. It also plays Slack's
 * side of Socket Mode: apps.connections.open hands out a ws:// URL on the same port, where the
 * fake says hello, delivers envelopes and records the acks.
 */
import { pollFor } from '../helpers/wait.js';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the app sent back over the socket for one envelope. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface SlackCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  /** The Authorization header the call carried (`Bearer xoxb-...`), if any. */
  authorization?: string;
}

/**
 * A file uploaded as files.uploadV2 does it: files.getUploadURLExternal (name, length, alt text),
 * the bytes POSTed to the upload URL, then files.completeUploadExternal (where it is shared).
 */
export interface FakeUpload {
  fileId: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  length: number;
  /** The alt text as sent: the SDK's `alt_text`, or Slack's documented `alt_txt`. */
  altText?: string;
  /** The bytes POSTed to the upload URL (the file part of a multipart body, or the raw body). */
  data?: Buffer;
  /** Set by files.completeUploadExternal. */
  completed?: { channelId?: string; threadTs?: string; title?: string; initialComment?: string };
}

/** What one OAuth grant installs: oauth.v2.access answers it for its `code`. */
export interface FakeInstall {
  token: string;
  team: { id: string; name: string } | null;
  enterprise?: { id: string; name: string } | null;
  isEnterpriseInstall?: boolean;
  userId?: string;
}

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  admins = new Set<string>();
  /** User groups by id (S...), with their members. */
  groups: Record<string, string[]> = {};
  /** A group's handle (without @); by default its id in lower case. */
  groupHandles: Record<string, string> = {};
  private nextErrors: Record<string, string[]> = {};
  private server?: Server;
  private sockets?: WebSocketServer;
  /** The open Socket Mode connections, newest last. */
  readonly connections: WebSocket[] = [];
  readonly acks: SocketAck[] = [];
  /** The app-level token apps.connections.open was called with. */
  appTokens: string[] = [];
  /** The app's OAuth credentials: oauth.v2.access refuses others. */
  oauthClient = { id: 'client-id', secret: 'client-secret' };
  /** OAuth grants by code, each good once, as Slack's are. */
  grants: Record<string, FakeInstall> = {};
  private issued: Record<string, FakeInstall> = {};
  /** Uploaded files by id, in the order files.getUploadURLExternal issued them. */
  readonly uploads: FakeUpload[] = [];
  url = '';

  /**
   * The next call the fake receives, whichever it is, first busy-waits `ms`: in-process, this stalls
   * the app's event loop while a request is in flight, as another request's CPU work would.
   */
  blockOnNextCall(ms: number): void {
    this.blockMs = ms;
  }
  private blockMs = 0;

  failNext(method: string, error: string): void {
    (this.nextErrors[method] ??= []).push(error);
  }

  /** The next `times` calls of `method` get an HTTP error status, as during a Slack outage. */
  failHttpNext(method: string, times: number, status = 503): void {
    this.httpFailures[method] = { times, status };
  }
  private httpFailures: Record<string, { times: number; status: number }> = {};

  /** Where slash commands and actions tell Bolt to respond. */
  responseUrl(id: string): string {
    return `${this.url.replace(/\/api\/$/, '')}/response/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks);
        if ((req.url ?? '').startsWith('/upload/')) return this.receiveUpload(req.url!, req.headers, raw, res);
        const text = raw.toString('utf8');
        let body: Record<string, unknown> = {};
        if ((req.headers['content-type'] ?? '').includes('json'))
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        else body = Object.fromEntries(new URLSearchParams(text));
        const path = req.url ?? '';
        const method = path.startsWith('/api/') ? path.slice(5).split('?')[0]! : path;
        const authorization = req.headers.authorization;
        this.calls.push({ method, path, body, ...(authorization ? { authorization } : {}) });
        if (this.blockMs > 0) {
          const until = Date.now() + this.blockMs;
          this.blockMs = 0;
          while (Date.now() < until) {
            // busy: nothing else in this process runs
          }
        }
        const outage = this.httpFailures[method];
        if (outage && outage.times > 0) {
          outage.times--;
          res.writeHead(outage.status, { 'content-type': 'text/plain' }).end('upstream unavailable');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.reply(method, body, authorization)));
      });
    });
    this.sockets = new WebSocketServer({ server: this.server, path: '/link' });
    this.sockets.on('connection', (ws) => {
      this.connections.push(ws);
      ws.on('message', (data) => this.acks.push(JSON.parse(String(data)) as SocketAck));
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          connection_info: { app_id: 'A1' },
          debug_info: { host: 'fake' },
        }),
      );
    });
    this.server.on('request', (req) => {
      if (req.url === '/api/apps.connections.open') this.appTokens.push(String(req.headers.authorization ?? ''));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  /** Delivers one Socket Mode envelope on the newest connection and waits for the app's ack of it. */
  async deliver(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    timeoutMs = 5000,
  ): Promise<SocketAck> {
    const ws = this.connections.at(-1);
    if (!ws) throw new Error('no Socket Mode connection');
    const envelopeId = `env-${this.acks.length}-${Math.random().toString(36).slice(2)}`;
    ws.send(
      JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }),
    );
    const start = Date.now();
    for (;;) {
      const ack = this.acks.find((a) => a.envelope_id === envelopeId);
      if (ack) return ack;
      if (Date.now() - start > timeoutMs) throw new Error(`no ack for ${envelopeId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * oauth.v2.access as Slack answers a bot install (client credentials in the form, as the Web API
   * client sends them): the fields of its documented response, the grant's code spent.
   */
  private oauthAccess(body: Record<string, unknown>): unknown {
    if (body.client_id !== this.oauthClient.id) return { ok: false, error: 'invalid_client_id' };
    if (body.client_secret !== this.oauthClient.secret) return { ok: false, error: 'bad_client_secret' };
    const grant = this.grants[String(body.code)];
    if (!grant) return { ok: false, error: 'invalid_code' };
    delete this.grants[String(body.code)];
    this.issued[grant.token] = grant;
    return {
      ok: true,
      access_token: grant.token,
      token_type: 'bot',
      scope: 'commands,chat:write,pins:write,users:read,usergroups:read',
      bot_user_id: `UBOT${grant.team?.id ?? grant.enterprise?.id ?? ''}`,
      app_id: 'A1',
      team: grant.team,
      enterprise: grant.enterprise ?? null,
      is_enterprise_install: grant.isEnterpriseInstall ?? false,
      authed_user: { id: grant.userId ?? 'UINSTALLER' },
    };
  }

  /**
   * The POST to an upload URL: Slack takes the bytes raw or multipart/form-data (the SDK sends a
   * form with one file part), answers 200 "OK - <bytes>" as text, and keeps them for completion.
   */
  private async receiveUpload(
    url: string,
    headers: Record<string, string | string[] | undefined>,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const contentType = String(headers['content-type'] ?? '');
    this.calls.push({ method: url, path: url, body: { contentType, bytes: raw.length } });
    const upload = this.uploads.find((u) => url === `/upload/v1/${u.fileId}`);
    if (!upload) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown upload');
    let data = raw;
    if (/^multipart\/form-data/i.test(contentType)) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const file = [...form.values()].find((v) => typeof v !== 'string');
      data = file ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
    }
    upload.data = data;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`OK - ${data.length}`);
  }

  /** files.getUploadURLExternal and files.completeUploadExternal, with the fields of Slack's documented answers. */
  private files(method: string, body: Record<string, unknown>): unknown {
    if (method === 'files.getUploadURLExternal') {
      const length = Number(body.length);
      if (!body.filename || !(length > 0)) return { ok: false, error: 'missing_argument' };
      const fileId = `F${String(this.uploads.length + 1).padStart(10, '0')}`;
      const alt = body.alt_txt ?? body.alt_text;
      this.uploads.push({
        fileId,
        filename: String(body.filename),
        length,
        ...(typeof alt === 'string' ? { altText: alt } : {}),
      });
      return { ok: true, upload_url: `${this.url.replace(/\/api\/$/, '')}/upload/v1/${fileId}`, file_id: fileId };
    }
    const listed = JSON.parse(String(body.files ?? '[]')) as { id: string; title?: string }[];
    const found = listed.map((f) => ({ f, upload: this.uploads.find((u) => u.fileId === f.id && u.data) }));
    if (!found.length || found.some((x) => !x.upload)) return { ok: false, error: 'file_not_found' };
    for (const { f, upload } of found)
      upload!.completed = {
        ...(body.channel_id ? { channelId: String(body.channel_id) } : {}),
        ...(body.thread_ts ? { threadTs: String(body.thread_ts) } : {}),
        ...(f.title ? { title: f.title } : {}),
        ...(body.initial_comment ? { initialComment: String(body.initial_comment) } : {}),
      };
    return { ok: true, files: found.map(({ f, upload }) => ({ id: f.id, title: f.title ?? upload!.filename })) };
  }

  private reply(method: string, body: Record<string, unknown>, authorization?: string): unknown {
    const error = this.nextErrors[method]?.shift();
    if (error) return { ok: false, error };
    switch (method) {
      case 'files.getUploadURLExternal':
      case 'files.completeUploadExternal':
        return this.files(method, body);
      case 'oauth.v2.access':
        return this.oauthAccess(body);
      case 'users.info': {
        const id = String(body.user);
        return { ok: true, user: { id, name: id, is_admin: this.admins.has(id), is_owner: false } };
      }
      case 'usergroups.users.list': {
        const users = this.groups[String(body.usergroup)];
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'usergroups.list':
        // The fields Slack's usergroup object carries, as in its usergroups.list example.
        return {
          ok: true,
          usergroups: Object.keys(this.groups).map((id) => ({
            id,
            team_id: String(body.team_id ?? 'T1'),
            is_usergroup: true,
            name: `Group ${id}`,
            description: '',
            handle: this.groupHandles[id] ?? id.toLowerCase(),
            is_external: false,
            date_create: 1446598059,
            date_update: 1446670362,
            date_delete: 0,
            auto_type: null,
            created_by: 'USLACKBOT',
            updated_by: 'USLACKBOT',
            deleted_by: null,
            prefs: { channels: [], groups: [] },
            user_count: this.groups[id]!.length,
          })),
        };
      case 'pins.add':
        return { ok: true };
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: `${1700000100 + this.calls.length}.000100`, message: body };
      case 'apps.connections.open':
        return { ok: true, url: `${this.url.replace(/^http/, 'ws').replace(/\/api\/$/, '')}/link` };
      case 'auth.test': {
        // A token an OAuth grant issued answers for its own workspace or org.
        const install = this.issued[(authorization ?? '').replace(/^Bearer /, '')];
        if (!install) return { ok: true, user_id: 'UBOT', team_id: 'T1', bot_id: 'BBOT' };
        const id = install.team?.id ?? install.enterprise?.id ?? '';
        return {
          ok: true,
          url: `https://${id.toLowerCase()}.slack.com/`,
          team: install.team?.name ?? install.enterprise?.name,
          user: 'whichgpu',
          team_id: install.team?.id ?? install.enterprise?.id,
          user_id: `UBOT${id}`,
          bot_id: `B${id}`,
          ...(install.enterprise ? { enterprise_id: install.enterprise.id } : {}),
          is_enterprise_install: install.isEnterpriseInstall ?? false,
        };
      }
      default:
        return method.startsWith('/response/') ? { ok: true } : { ok: false, error: 'unknown_method' };
    }
  }

  async waitFor(pred: (c: SlackCall) => boolean, timeoutMs = 5000): Promise<SlackCall> {
    return pollFor(
      () => this.calls.find(pred),
      () => `no matching call; got ${this.calls.map((c) => c.method).join(', ')}`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    await new Promise<void>((r) => {
      if (this.sockets) this.sockets.close(() => r());
      else r();
    });
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
