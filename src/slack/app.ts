/**
 * Slack: one slash command, /whichgpu, and its buttons, on @slack/bolt. Over HTTP, Bolt's
 * HTTPReceiver verifies signatures and is mounted on our shared server at POST /slack/events;
 * with SLACK_APP_TOKEN, Socket Mode. Every handler ack()s first, then answers.
 */
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger, type RespondFn } from '@slack/bolt';
import { commands } from '../../commands/index.js';
import { inputOfQuery } from '../../commands/pins.js';
import { parseSettingPairs } from '../../commands/settings.js';
import type { CommandContext, Reply } from '../../commands/types.js';
import type { Catalog } from '../core/catalog.js';
import type { Logger } from '../log.js';
import { CONTEXT_ACTION, PIN_ACTION, pinsBlocks, QUANT_ACTION, settingsBlocks, SOURCES_ACTION, sourcesBlocks, textBlocks, verdictBlocks, type SlackMessage } from '../render/slack-blocks.js';
import { MAX_BODY_BYTES } from '../server.js';
import { cooldownMessage, type RateLimiter } from '../rate-limit.js';
import type { Store } from '../store/store.js';

/** Bolt's Web API client type, without depending on @slack/web-api directly. */
type WebClient = App['client'];

export interface SlackOptions {
  token: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  moderators: string[];
  catalog: Catalog;
  store: Store;
  log: Logger;
  limiter?: RateLimiter;
}

export interface SlackApp {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. */
  receiver?: HTTPReceiver;
  socketMode: boolean;
}

const QUANTS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16', 'IQ4_XS', 'Q3_K_M', 'Q2_K', 'MXFP4', 'MLX-4bit', 'MLX-8bit'] as const;

/** Bolt's logs through our pino logger. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const child = log.child({ component: 'bolt' });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Workspace admins and owners (users.info), SLACK_MODERATORS, or the configured user group. */
export async function isSlackModerator(client: WebClient, userId: string, moderators: string[], group: string | null): Promise<boolean> {
  if (moderators.includes(userId)) return true;
  const info = await client.users.info({ user: userId });
  if (info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner) return true;
  if (group) {
    const members = await client.usergroups.users.list({ usergroup: group });
    if (members.users?.includes(userId)) return true;
  }
  return false;
}

function toMessage(reply: Reply, store: Store): { message: SlackMessage; public: boolean } {
  switch (reply.kind) {
    case 'verdict': {
      const stateId = store.saveQuery(reply.verdict.query as unknown as Record<string, unknown>);
      return { message: verdictBlocks(reply.verdict, { stateId, quants: QUANTS, ...(reply.existingPin ? { existingPin: reply.existingPin } : {}), notes: reply.notes }), public: true };
    }
    case 'pins':
      return { message: pinsBlocks(reply.page, reply.canModerate), public: false };
    case 'settings':
      return { message: settingsBlocks(reply.settings, reply.changed), public: false };
    case 'pinned':
      return { message: textBlocks(reply.alreadyPinned ? `Already pinned as #${reply.pin.id}.` : `:pushpin: Pinned as #${reply.pin.id}. \`/whichgpu pins\` lists the workspace's pins.`), public: false };
    case 'refreshed':
      return { message: textBlocks(`Refreshed #${reply.pin.id} with today's data:\n${reply.changes.map((c) => `• ${c}`).join('\n')}`), public: false };
    case 'unpinned':
      return { message: textBlocks(`Unpinned #${reply.pin.id} from the list.`), public: false };
    case 'help':
      return { message: textBlocks(`\`\`\`${reply.text.replace(/^Pins: +verdicts \[page\]/m, 'Pins:     /whichgpu pins [page]')}\`\`\``), public: false };
    case 'error':
      return { message: textBlocks(`${reply.error.message}${reply.error.hint ? `\n${reply.error.hint}` : ''}`), public: false };
  }
}

async function send(respond: RespondFn, reply: Reply, store: Store, replaceOriginal = false) {
  const { message, public: isPublic } = toMessage(reply, store);
  if (replaceOriginal && isPublic) await respond({ ...message, replace_original: true });
  else await respond({ ...message, response_type: isPublic ? 'in_channel' : 'ephemeral', replace_original: false });
}

const PIN_ERRORS: Record<string, string> = {
  already_pinned: 'That message is already pinned.',
  not_in_channel: 'I am not in this channel, so I cannot pin here. Invite me with /invite @whichgpu and try again.',
  not_pinnable: 'Slack says that message cannot be pinned.',
  permission_denied: 'Slack refused: I lack the permission to pin in this channel (pins:write).',
  message_not_found: 'That message no longer exists, so it cannot be pinned.',
  channel_not_found: 'I cannot see this channel. Invite me with /invite @whichgpu.',
};

/** Runs a handler after ack(); an unexpected error is logged once and answered briefly, never silently. */
async function guarded(log: Logger, respond: RespondFn, ref: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    log.error({ err: e, ref }, 'slack handler failed');
    await respond({ ...textBlocks(`Something went wrong on my side (ref ${ref}). Try again in a moment.`), response_type: 'ephemeral', replace_original: false }).catch(() => undefined);
  }
}

export function createSlackApp(o: SlackOptions): SlackApp {
  const logger = boltLogger(o.log);
  const clientOptions = { ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}), retryConfig: { retries: 1, maxTimeout: 1000 } };
  const socketMode = Boolean(o.appToken);
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (socketMode) {
    // The Socket Mode client has its own Web API client (for apps.connections.open), configured
    // through installerOptions. Bolt would hand it our clientOptions, with the one quick retry meant
    // for answering users; given only the URL it keeps its own patient retries (100, backing off),
    // which reconnecting after a Slack outage needs.
    const socketClientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl } : {};
    app = new App({ token: o.token, appToken: o.appToken!, socketMode: true, logger, clientOptions, installerOptions: { clientOptions: socketClientOptions } });
  } else {
    if (!o.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new HTTPReceiver({ signingSecret: o.signingSecret, endpoints: '/slack/events', logger, processBeforeResponse: false, unhandledRequestTimeoutMillis: 1000, bodyLimit: MAX_BODY_BYTES });
    app = new App({ token: o.token, receiver, logger, clientOptions, tokenVerificationEnabled: false });
  }

  const ctxFor = (teamId: string, channelId: string, userId: string, userName: string, client: WebClient): CommandContext => ({
    catalog: o.catalog,
    store: o.store,
    platform: 'slack',
    serverId: teamId,
    channelId,
    user: { id: userId, name: userName },
    canModerate: () => isSlackModerator(client, userId, o.moderators, o.store.settings('slack', teamId).moderator_role),
  });

  app.command('/whichgpu', async ({ command, ack, respond, client }) => {
    await ack();
    await guarded(o.log, respond, command.trigger_id, async () => {
    if (await limited(command.team_id, command.user_id, respond)) return;
    const ctx = ctxFor(command.team_id, command.channel_id, command.user_id, command.user_name, client);
    const text = command.text.trim();
    const [head, ...rest] = text.split(/\s+/);
    const word = (head ?? '').toLowerCase();
    let reply: Reply;
    if (word === '' || word === 'help') reply = await commands.help.execute();
    else if (word === 'pins' || word === 'verdicts') {
      const parsed = commands.verdicts.schema.safeParse({ action: 'list', page: rest[0] ?? 1 });
      reply = parsed.success ? await commands.verdicts.execute(ctx, parsed.data) : { kind: 'error', error: { code: 'INVALID_QUERY', message: parsed.error.issues[0]!.message } };
    } else if (word === 'settings') {
      const pairs = parseSettingPairs(rest.join(' ').replace(/^set\s+/i, ''));
      reply = pairs.ok ? await commands.settings.execute(ctx, { set: pairs.set }) : { kind: 'error', error: { code: 'INVALID_QUERY', message: pairs.message } };
    } else reply = await commands.compare.execute(ctx, { text });
    await send(respond, reply, o.store);
    });
  });

  /** Over the limit: one ephemeral cooldown answer instead of the work. */
  const limited = async (teamId: string, userId: string, respond: RespondFn) => {
    const d = o.limiter?.take(teamId, userId) ?? { ok: true as const };
    if (d.ok) return false;
    await respond({ ...textBlocks(cooldownMessage(d)), response_type: 'ephemeral', replace_original: false });
    return true;
  };

  const recompute = async (ctx: CommandContext, value: string, change: (v: string) => Record<string, unknown>) => {
    const [stateId, picked] = value.split('|');
    const stored = stateId ? o.store.loadQuery(stateId) : undefined;
    if (!stored) return undefined;
    return commands.compare.execute(ctx, { ...inputOfQuery(stored), ...(picked !== undefined ? change(picked) : {}) });
  };
  const expired: Reply = { kind: 'error', error: { code: 'NOT_FOUND', message: 'That verdict is too old to change; ask again with /whichgpu.' } };

  app.action(new RegExp(`^(${QUANT_ACTION}|${CONTEXT_ACTION})$`), async ({ body, action, ack, respond, client }) => {
    await ack();
    await guarded(o.log, respond, String((body as { trigger_id?: string }).trigger_id ?? 'action'), async () => {
    const b = body as unknown as { team?: { id: string }; channel?: { id: string }; user: { id: string; name?: string } };
    if (await limited(b.team?.id ?? 'unknown', b.user.id, respond)) return;
    const a = action as unknown as { action_id: string; selected_option?: { value: string } };
    const ctx = ctxFor(b.team?.id ?? 'unknown', b.channel?.id ?? '', b.user.id, b.user.name ?? b.user.id, client);
    const reply = await recompute(ctx, a.selected_option?.value ?? '', (v) => (a.action_id === QUANT_ACTION ? { quant: v } : { contextTokens: Number(v) }));
    await send(respond, reply ?? expired, o.store, true);
    });
  });

  app.action(SOURCES_ACTION, async ({ body, action, ack, respond, client }) => {
    await ack();
    await guarded(o.log, respond, String((body as { trigger_id?: string }).trigger_id ?? 'action'), async () => {
    const b = body as unknown as { team?: { id: string }; channel?: { id: string }; user: { id: string; name?: string } };
    if (await limited(b.team?.id ?? 'unknown', b.user.id, respond)) return;
    const ctx = ctxFor(b.team?.id ?? 'unknown', b.channel?.id ?? '', b.user.id, b.user.name ?? b.user.id, client);
    const reply = await recompute(ctx, (action as unknown as { value: string }).value, () => ({}));
    if (!reply || reply.kind !== 'verdict') return void (await send(respond, expired, o.store));
    await respond({ ...sourcesBlocks(reply.verdict), response_type: 'ephemeral', replace_original: false });
    });
  });

  app.action(PIN_ACTION, async ({ body, action, ack, respond, client }) => {
    await ack();
    await guarded(o.log, respond, String((body as { trigger_id?: string }).trigger_id ?? 'action'), async () => {
    const b = body as unknown as { team?: { id: string }; channel?: { id: string }; user: { id: string; name?: string }; message?: { ts: string }; container?: { message_ts?: string } };
    if (await limited(b.team?.id ?? 'unknown', b.user.id, respond)) return;
    const channel = b.channel?.id ?? '';
    const ts = b.message?.ts ?? b.container?.message_ts ?? '';
    const ctx = ctxFor(b.team?.id ?? 'unknown', channel, b.user.id, b.user.name ?? b.user.id, client);
    // Permission before any pin call: a refused member costs Slack's rate limit nothing.
    if (!(await ctx.canModerate())) {
      return void (await send(respond, { kind: 'error', error: { code: 'FORBIDDEN', message: 'Only workspace admins, owners and configured moderators can pin verdicts.' } }, o.store));
    }
    const reply = await recompute(ctx, (action as unknown as { value: string }).value, () => ({}));
    if (!reply || reply.kind !== 'verdict') return void (await send(respond, expired, o.store));
    try {
      await client.pins.add({ channel, timestamp: ts });
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error ?? '';
      o.log.warn({ err: e, code, channel, ts }, 'slack pin failed');
      if (code !== 'already_pinned') {
        return void (await send(respond, { kind: 'error', error: { code: 'FORBIDDEN', message: PIN_ERRORS[code] ?? 'Slack did not answer the pin request. Nothing was pinned; try again in a minute.' } }, o.store));
      }
    }
    await send(respond, await commands.pin.execute(ctx, { channelId: channel, messageId: ts, verdict: reply.verdict }), o.store);
    });
  });

  app.action(/^whichgpu_pin_menu_\d+$/, async ({ body, action, ack, respond, client }) => {
    await ack();
    await guarded(o.log, respond, String((body as { trigger_id?: string }).trigger_id ?? 'action'), async () => {
    const b = body as unknown as { team?: { id: string }; channel?: { id: string }; user: { id: string; name?: string } };
    if (await limited(b.team?.id ?? 'unknown', b.user.id, respond)) return;
    const [verb, id] = ((action as unknown as { selected_option?: { value: string } }).selected_option?.value ?? '').split('|');
    const ctx = ctxFor(b.team?.id ?? 'unknown', b.channel?.id ?? '', b.user.id, b.user.name ?? b.user.id, client);
    if (verb !== 'refresh' && verb !== 'unpin') return;
    await send(respond, await commands.verdicts.execute(ctx, { action: verb, id: Number(id) }), o.store);
    });
  });

  // Anything else Slack may send us is acknowledged at once, so it never waits for a timeout.
  app.command(/^(?!\/whichgpu$)/, async ({ ack }) => ack({ response_type: 'ephemeral', text: 'whichgpu answers /whichgpu; try `/whichgpu help`.' }));
  app.action(/^(?!whichgpu_)/, async ({ ack }) => ack());

  app.error(async (e) => {
    o.log.error({ err: e }, 'slack handler failed');
  });

  return { app, ...(receiver ? { receiver } : {}), socketMode };
}
