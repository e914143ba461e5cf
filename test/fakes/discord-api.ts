/**
 * A loopback fake of the Discord REST API: records every request and answers from a small table,
 * so discord.js's REST client can be exercised for real without leaving 127.0.0.1.
 */
import { pollFor } from '../helpers/wait.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON body; for a multipart/form-data request, its payload_json part. */
  body: unknown;
  /** A multipart request's file parts (files[0], files[1]...), in order. */
  files?: RecordedFile[];
  /** Date.now() on arrival. */
  at: number;
}

/** One file part of a multipart request, as undici's FormData parsed it. */
export interface RecordedFile {
  /** The part's name: files[0], files[1]... */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * A multipart/form-data body parsed by a real parser (undici's, through Response.formData), as
 * Discord reads one: the payload_json part and the file parts.
 */
export async function parseMultipart(
  body: Buffer,
  contentType: string,
): Promise<{ payload: unknown; files: RecordedFile[] }> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const files: RecordedFile[] = [];
  for (const [field, v] of form.entries())
    if (typeof v !== 'string')
      files.push({ field, filename: v.name, contentType: v.type, data: Buffer.from(await v.arrayBuffer()) });
  const json = form.get('payload_json');
  return { payload: typeof json === 'string' ? JSON.parse(json) : undefined, files };
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A role as the fake's guild holds it; `permissions` is the role's own bitfield. */
export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
}

export class FakeDiscordApi {
  readonly requests: RecordedRequest[] = [];
  /** GET /guilds/{id} answers from here (see `setGuild`); an unknown guild is Discord's 404 10004. */
  readonly guilds = new Map<string, FakeReply>();
  /** Overrides by "METHOD /path-regex": the next matching request gets this reply. */
  private readonly overrides: { method: string; path: RegExp; reply: FakeReply }[] = [];
  private readonly delays: { method: string; path: RegExp; ms: number }[] = [];
  private server?: Server;
  url = '';

  replyOnce(method: string, path: RegExp, reply: FakeReply): void {
    this.overrides.push({ method, path, reply });
  }

  /** Every matching request is answered `ms` after it arrived (recorded on arrival), until the returned undo. */
  delay(method: string, path: RegExp, ms: number): () => void {
    const entry = { method, path, ms };
    this.delays.push(entry);
    return () => void this.delays.splice(this.delays.indexOf(entry), 1);
  }

  /** Serves the guild as Discord's GET /guilds/{id} does; its @everyone role (id = the guild's) comes first. */
  setGuild(id: string, g: { ownerId: string; everyone: bigint; roles?: FakeRole[] }): void {
    this.guilds.set(id, {
      status: 200,
      body: guildObject(id, g.ownerId, [{ id, name: '@everyone', permissions: g.everyone }, ...(g.roles ?? [])]),
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const at = Date.now();
        const path = (req.url ?? '').replace(/^\/api(\/v\d+)?/, '');
        const raw = Buffer.concat(chunks);
        const contentType = String(req.headers['content-type'] ?? '');
        let body: unknown = raw.toString('utf8');
        let files: RecordedFile[] | undefined;
        if (/^multipart\/form-data/i.test(contentType))
          ({ payload: body, files } = await parseMultipart(raw, contentType));
        else
          try {
            body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
          } catch {
            /* not JSON: kept as text */
          }
        this.requests.push({
          method: req.method ?? '',
          path,
          headers: req.headers,
          body,
          ...(files ? { files } : {}),
          at,
        });
        const i = this.overrides.findIndex((o) => o.method === req.method && o.path.test(path));
        const reply = i >= 0 ? this.overrides.splice(i, 1)[0]!.reply : this.defaultReply(req.method ?? '', path, body);
        const delay = this.delays.find((d) => d.method === req.method && d.path.test(path))?.ms ?? 0;
        setTimeout(() => {
          // Like Discord: 204 has no body and no content type.
          res.writeHead(reply.status, {
            ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...reply.headers,
          });
          res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
        }, delay);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
    return this;
  }

  private defaultReply(method: string, path: string, body: unknown): FakeReply {
    if (method === 'PUT' && /^\/channels\/\d+\/messages\/pins\/\d+$/.test(path)) return { status: 204 };
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback/.test(path)) return { status: 204 };
    // Editing a deferred answer: Discord returns the edited message.
    if (method === 'PATCH' && /^\/webhooks\/\d+\/[^/]+\/messages\/@original/.test(path))
      return { status: 200, body: editedMessage(body) };
    const guild = method === 'GET' ? /^\/guilds\/(\d+)$/.exec(path) : null;
    if (guild) return this.guilds.get(guild[1]!) ?? { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
    if (method === 'PUT' && /^\/applications\/\d+\/(guilds\/\d+\/)?commands$/.test(path))
      return { status: 200, body: [] };
    return { status: 404, body: { message: 'Unknown route in fake', code: 0 } };
  }

  /** Waits until a request matching the predicate has arrived (interaction replies are async). */
  async waitFor(pred: (r: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    return pollFor(
      () => this.requests.find(pred),
      () => `no matching request; got ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

/** A message object as Discord's API returns one (the fields discord.js reads). */
export function apiMessage(o: {
  id: string;
  channelId: string;
  author: Record<string, unknown>;
  timestamp: string;
}): Record<string, unknown> {
  return {
    id: o.id,
    channel_id: o.channelId,
    type: 0,
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: false,
    tts: false,
    timestamp: o.timestamp,
    edited_timestamp: null,
    flags: 0,
    author: o.author,
  };
}

function editedMessage(edit: unknown): Record<string, unknown> {
  const author = {
    id: '444444444444444444',
    username: 'whichgpu',
    discriminator: '0',
    avatar: null,
    global_name: null,
    bot: true,
  };
  return {
    ...apiMessage({
      id: '777777777777777777',
      channelId: '222222222222222222',
      author,
      timestamp: new Date().toISOString(),
    }),
    ...(edit as object),
  };
}

/** A guild object as GET /guilds/{id} returns it (API v10), with the given owner and roles. */
function guildObject(id: string, ownerId: string, roles: FakeRole[]): Record<string, unknown> {
  return {
    id,
    name: 'Test server',
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    roles: roles.map((r, position) => ({
      id: r.id,
      name: r.name,
      description: null,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: String(r.permissions),
      managed: false,
      mentionable: false,
      flags: 0,
    })),
    emojis: [],
    features: ['COMMUNITY'],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

export const discordError = (code: number, message: string, status = 403): FakeReply => ({
  status,
  body: { code, message },
});
