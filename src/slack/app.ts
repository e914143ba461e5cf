/**
 * Slack: one slash command, /whichgpu, and its buttons, on @slack/bolt. Over HTTP, Bolt's
 * HTTPReceiver verifies signatures and is mounted on our shared server at POST /slack/events;
 * with SLACK_APP_TOKEN, Socket Mode. Every handler ack()s first, then answers through response_url,
 * also when the ack failed.
 */
import {
  App,
  HTTPReceiver,
  LogLevel,
  type Logger as BoltLogger,
  type ReceiverProcessEventErrorHandlerArgs,
  type RespondFn,
} from '@slack/bolt';
import { commands } from '../../commands/index.js';
import { inputOfQuery } from '../../commands/pins.js';
import { parseSettingPairs } from '../../commands/settings.js';
import type { CommandContext, PermissionWords, Reply } from '../../commands/types.js';
import type { Catalog } from '../core/index.js';
import type { InFlight } from '../in-flight.js';
import type { Logger } from '../log.js';
import {
  CONTEXT_ACTION,
  PIN_ACTION,
  pinsBlocks,
  QUANT_ACTION,
  settingsBlocks,
  SOURCES_ACTION,
  sourcesBlocks,
  textBlocks,
  verdictBlocks,
  type SlackMessage,
} from '../render/slack.js';
import { MAX_BODY_BYTES } from '../server.js';
import { cooldownMessage, type RateLimiter } from '../rate-limit.js';
import { SlackModerators, type SlackWhere } from './moderators.js';
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
  /** Work still running after an ack; shutdown waits for it. */
  inFlight?: InFlight;
}

export interface SlackApp {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. */
  receiver?: HTTPReceiver;
  socketMode: boolean;
}

const MODERATORS_ON_SLACK = 'workspace admins, owners and configured moderators';
const ASK_SLACK_MODERATOR = 'Ask a workspace admin or owner, or someone in the moderator user group.';
/** Who may moderate and administer, in Slack's words: the same people do both, in every channel. */
export const SLACK_WORDS: PermissionWords = {
  moderators: MODERATORS_ON_SLACK,
  administrators: MODERATORS_ON_SLACK,
  moderatorHint: ASK_SLACK_MODERATOR,
  adminHint: ASK_SLACK_MODERATOR,
  elsewhereHint: ASK_SLACK_MODERATOR,
};

const QUANTS = [
  'Q4_K_M',
  'Q5_K_M',
  'Q6_K',
  'Q8_0',
  'F16',
  'IQ4_XS',
  'Q3_K_M',
  'Q2_K',
  'MXFP4',
  'MLX-4bit',
  'MLX-8bit',
] as const;

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

/**
 * The key a Slack payload's pins, settings and rate limits live under. A workspace, or a
 * workspace-level install inside an Enterprise Grid org, keys by its team id as before. An org-wide
 * install sends `team: null` on interactions, so the workspace is the member's `user.team_id`, and
 * the key is `${enterprise_id}:${team_id}`: the org's workspaces stay apart, and a slash command
 * there (`team_id`, `enterprise_id`, `is_enterprise_install: "true"`) lands on the same key.
 */
export function slackWhere(p: {
  teamId?: string | null;
  userTeamId?: string | null;
  enterpriseId?: string | null;
  enterpriseInstall?: boolean | string;
}): SlackWhere {
  const teamId = p.teamId || p.userTeamId || 'unknown';
  const orgWide =
    p.enterpriseInstall === true || p.enterpriseInstall === 'true' || (!p.teamId && Boolean(p.enterpriseId));
  return { serverId: orgWide && p.enterpriseId ? `${p.enterpriseId}:${teamId}` : teamId, teamId };
}

/** The fields of an interaction payload the handlers read (Bolt's types admit older payload kinds). */
interface ActionBody {
  team?: { id: string } | null;
  enterprise?: { id: string } | null;
  is_enterprise_install?: boolean;
  channel?: { id: string };
  user: { id: string; name?: string; team_id?: string };
  trigger_id?: string;
  message?: { ts: string };
  container?: { message_ts?: string };
}

const whereOfAction = (b: ActionBody) =>
  slackWhere({
    teamId: b.team?.id,
    userTeamId: b.user.team_id,
    enterpriseId: b.enterprise?.id,
    enterpriseInstall: b.is_enterprise_install,
  });

function toMessage(reply: Reply, store: Store): { message: SlackMessage; public: boolean } {
  switch (reply.kind) {
    case 'verdict': {
      const stateId = store.saveQuery(reply.verdict.query as unknown as Record<string, unknown>);
      return {
        message: verdictBlocks(reply.verdict, {
          stateId,
          quants: QUANTS,
          ...(reply.existingPin ? { existingPin: reply.existingPin } : {}),
          notes: reply.notes,
        }),
        public: true,
      };
    }
    case 'pins':
      return { message: pinsBlocks(reply.page, reply.canModerate), public: false };
    case 'settings':
      return { message: settingsBlocks(reply.settings, reply.changed), public: false };
    case 'pinned':
      return {
        message: textBlocks(
          reply.alreadyPinned
            ? `Already pinned as #${reply.pin.id}.`
            : `:pushpin: Pinned as #${reply.pin.id}. \`/whichgpu pins\` lists the workspace's pins.`,
        ),
        public: false,
      };
    case 'refreshed':
      return {
        message: textBlocks(
          `Refreshed #${reply.pin.id} with today's data:\n${reply.changes.map((c) => `• ${c}`).join('\n')}`,
        ),
        public: false,
      };
    case 'unpinned':
      return { message: textBlocks(`Unpinned #${reply.pin.id} from the list.`), public: false };
    case 'help':
      return {
        message: textBlocks(
          `\`\`\`${reply.text.replace(/^Pins: +verdicts \[page\]/m, 'Pins:     /whichgpu pins [page]')}\`\`\``,
        ),
        public: false,
      };
    case 'error':
      return {
        message: textBlocks(`${reply.error.message}${reply.error.hint ? `\n${reply.error.hint}` : ''}`),
        public: false,
      };
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

/**
 * ack(), then the work; an unexpected error is logged once and answered briefly, never silently.
 * An ack that fails (Bolt answered 404 first, a Socket Mode connection dropped) is logged and the
 * work still answers through response_url, which Slack honours for 30 minutes.
 */
function ackThen(
  o: { log: Logger; inFlight?: InFlight },
  ack: () => Promise<void>,
  respond: RespondFn,
  ref: string,
  work: () => Promise<void>,
): Promise<void> {
  const run = (async () => {
    try {
      await ack();
    } catch (e) {
      o.log.warn({ err: e, ref }, 'slack ack failed; answering through response_url');
    }
    try {
      await work();
    } catch (e) {
      o.log.error({ err: e, ref }, 'slack handler failed');
      await respond({
        ...textBlocks(`Something went wrong on my side (ref ${ref}). Try again in a moment.`),
        response_type: 'ephemeral',
        replace_original: false,
      }).catch(() => undefined);
    }
  })();
  // The answer goes out after the ack: shutdown waits for it.
  o.inFlight?.track(run);
  return run;
}

/**
 * Bolt throws while routing some signed but malformed payloads (`"event": null`, a block_actions
 * without `actions`, a view_submission without `view`) and would answer 500. Our listeners answer
 * their own failures (ackThen) and never throw, so what reaches this handler is a payload Bolt
 * could not route: 400. After an ack the answer has gone already, and the error is only logged.
 */
export function refuseUnroutable(log: Logger) {
  return async ({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (response.headersSent) {
      log.error({ err: error }, 'slack request failed after its ack');
      return false;
    }
    log.warn({ err: error }, 'slack payload Bolt could not route; answered 400');
    response
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'malformed Slack payload' }));
    return true;
  };
}

export function createSlackApp(o: SlackOptions): SlackApp {
  const logger = boltLogger(o.log);
  const clientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    retryConfig: { retries: 1, maxTimeout: 1000 },
  };
  const socketMode = Boolean(o.appToken);
  // Bolt's single-token authorize (token without tokenVerificationEnabled) calls auth.test on every
  // request before the listener runs, so each ack waited for a round trip to Slack, and a busy loop
  // or a slow Slack then let the unacknowledged-request timer answer 404 first. The bot's ids that
  // auth.test finds only serve to ignore the bot's own messages, which whichgpu does not listen to.
  const authorize = async () => ({ botToken: o.token });
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (socketMode) {
    // The Socket Mode client has its own Web API client (for apps.connections.open), configured
    // through installerOptions. Bolt would hand it our clientOptions, with the one quick retry meant
    // for answering users; given only the URL it keeps its own patient retries (100, backing off),
    // which reconnecting after a Slack outage needs.
    const socketClientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl } : {};
    app = new App({
      appToken: o.appToken!,
      socketMode: true,
      logger,
      clientOptions,
      authorize,
      installerOptions: { clientOptions: socketClientOptions },
    });
  } else {
    if (!o.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    // Bolt's own 3 s for an unacknowledged request (it was 1 s: a loop busy for a second lost the request).
    receiver = new HTTPReceiver({
      signingSecret: o.signingSecret,
      endpoints: '/slack/events',
      logger,
      processBeforeResponse: false,
      bodyLimit: MAX_BODY_BYTES,
      processEventErrorHandler: refuseUnroutable(o.log),
    });
    app = new App({ receiver, logger, clientOptions, authorize });
  }

  const moderators = new SlackModerators(o.moderators, o.log);
  const ctxFor = (
    where: SlackWhere,
    channelId: string,
    userId: string,
    userName: string,
    client: WebClient,
  ): CommandContext => {
    // Slack has no per-channel pin permission to ask about: the same people moderate everywhere.
    const canModerate = () =>
      moderators.isModerator(client, where, userId, o.store.settings('slack', where.serverId).moderator_role);
    return {
      catalog: o.catalog,
      store: o.store,
      platform: 'slack',
      serverId: where.serverId,
      channelId,
      user: { id: userId, name: userName },
      canModerate,
      canAdminister: canModerate,
      permissionWords: SLACK_WORDS,
    };
  };

  /** `settings set moderator_role=@mods`: the group is looked up once here, so an unknown one is refused instead of stored. */
  const settingsReply = async (
    ctx: CommandContext,
    where: SlackWhere,
    client: WebClient,
    text: string,
  ): Promise<Reply> => {
    const pairs = parseSettingPairs(text.replace(/^set\s+/i, ''));
    if (!pairs.ok) return { kind: 'error', error: { code: 'INVALID_QUERY', message: pairs.message } };
    const role = pairs.set.moderator_role;
    if (role !== undefined && !/^(none|null|-)?$/i.test(role) && (await ctx.canAdminister())) {
      const group = await moderators.resolveGroup(client, where, role);
      if (!group.ok) return { kind: 'error', error: { code: 'INVALID_QUERY', message: group.message } };
      pairs.set.moderator_role = group.id;
    }
    return commands.settings.execute(ctx, { set: pairs.set });
  };

  app.command('/whichgpu', async ({ command, ack, respond, client }) =>
    ackThen(o, ack, respond, command.trigger_id, async () => {
      const where = slackWhere({
        teamId: command.team_id,
        enterpriseId: command.enterprise_id,
        enterpriseInstall: command.is_enterprise_install,
      });
      if (await limited(where.serverId, command.user_id, respond)) return;
      const ctx = ctxFor(where, command.channel_id, command.user_id, command.user_name, client);
      const text = command.text.trim();
      const [head, ...rest] = text.split(/\s+/);
      const word = (head ?? '').toLowerCase();
      let reply: Reply;
      if (word === '' || word === 'help') reply = await commands.help.execute();
      else if (word === 'pins' || word === 'verdicts') {
        const parsed = commands.verdicts.schema.safeParse({ action: 'list', page: rest[0] ?? 1 });
        reply = parsed.success
          ? await commands.verdicts.execute(ctx, parsed.data)
          : { kind: 'error', error: { code: 'INVALID_QUERY', message: parsed.error.issues[0]!.message } };
      } else if (word === 'settings') reply = await settingsReply(ctx, where, client, rest.join(' '));
      else reply = await commands.compare.execute(ctx, { text });
      await send(respond, reply, o.store);
    }),
  );

  /** Over the limit: one ephemeral cooldown answer instead of the work. */
  const limited = async (serverId: string, userId: string, respond: RespondFn) => {
    const d = o.limiter?.take(serverId, userId) ?? { ok: true as const };
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
  const expired: Reply = {
    kind: 'error',
    error: { code: 'NOT_FOUND', message: 'That verdict is too old to change; ask again with /whichgpu.' },
  };

  /** An action's context, or undefined once the member is over the rate limit (answered already). */
  const actionContext = async (body: unknown, respond: RespondFn, client: WebClient) => {
    const b = body as ActionBody;
    const where = whereOfAction(b);
    if (await limited(where.serverId, b.user.id, respond)) return undefined;
    return { b, ctx: ctxFor(where, b.channel?.id ?? '', b.user.id, b.user.name ?? b.user.id, client) };
  };
  const refOf = (body: unknown) => String((body as ActionBody).trigger_id ?? 'action');

  app.action(new RegExp(`^(${QUANT_ACTION}|${CONTEXT_ACTION})$`), async ({ body, action, ack, respond, client }) =>
    ackThen(o, ack, respond, refOf(body), async () => {
      const c = await actionContext(body, respond, client);
      if (!c) return;
      const a = action as unknown as { action_id: string; selected_option?: { value: string } };
      const reply = await recompute(c.ctx, a.selected_option?.value ?? '', (v) =>
        a.action_id === QUANT_ACTION ? { quant: v } : { contextTokens: Number(v) },
      );
      await send(respond, reply ?? expired, o.store, true);
    }),
  );

  app.action(SOURCES_ACTION, async ({ body, action, ack, respond, client }) =>
    ackThen(o, ack, respond, refOf(body), async () => {
      const c = await actionContext(body, respond, client);
      if (!c) return;
      const reply = await recompute(c.ctx, (action as unknown as { value: string }).value, () => ({}));
      if (!reply || reply.kind !== 'verdict') return void (await send(respond, expired, o.store));
      await respond({ ...sourcesBlocks(reply.verdict), response_type: 'ephemeral', replace_original: false });
    }),
  );

  app.action(PIN_ACTION, async ({ body, action, ack, respond, client }) =>
    ackThen(o, ack, respond, refOf(body), async () => {
      const c = await actionContext(body, respond, client);
      if (!c) return;
      const { b, ctx } = c;
      const channel = b.channel?.id ?? '';
      const ts = b.message?.ts ?? b.container?.message_ts ?? '';
      // Permission before any pin call: a refused member costs Slack's rate limit nothing.
      if (!(await ctx.canModerate())) {
        return void (await send(
          respond,
          { kind: 'error', error: { code: 'FORBIDDEN', message: `Only ${SLACK_WORDS.moderators} can pin verdicts.` } },
          o.store,
        ));
      }
      const stateId = (action as unknown as { value: string }).value;
      const reply = await recompute(ctx, stateId, () => ({}));
      if (!reply || reply.kind !== 'verdict') return void (await send(respond, expired, o.store));
      try {
        await client.pins.add({ channel, timestamp: ts });
      } catch (e) {
        const code = (e as { data?: { error?: string } }).data?.error ?? '';
        o.log.warn({ err: e, code, channel, ts }, 'slack pin failed');
        if (code !== 'already_pinned') {
          return void (await send(
            respond,
            {
              kind: 'error',
              error: {
                code: 'FORBIDDEN',
                message:
                  PIN_ERRORS[code] ??
                  'Slack did not answer the pin request. Nothing was pinned; try again in a minute.',
              },
            },
            o.store,
          ));
        }
      }
      await send(
        respond,
        await commands.pin.execute(ctx, { channelId: channel, messageId: ts, verdict: reply.verdict, stateId }),
        o.store,
      );
    }),
  );

  app.action(/^whichgpu_pin_menu_\d+$/, async ({ body, action, ack, respond, client }) =>
    ackThen(o, ack, respond, refOf(body), async () => {
      const [verb, id] = (
        (action as unknown as { selected_option?: { value: string } }).selected_option?.value ?? ''
      ).split('|');
      if (verb !== 'refresh' && verb !== 'unpin') return;
      const c = await actionContext(body, respond, client);
      if (!c) return;
      await send(respond, await commands.verdicts.execute(c.ctx, { action: verb, id: Number(id) }), o.store);
    }),
  );

  // Anything else Slack may send us is acknowledged at once, so it never waits for a timeout.
  app.command(/^(?!\/whichgpu$)/, async ({ ack }) =>
    ack({ response_type: 'ephemeral', text: 'whichgpu answers /whichgpu; try `/whichgpu help`.' }),
  );
  app.action(/^(?!whichgpu_)/, async ({ ack }) => ack());

  app.error(async (e) => {
    o.log.error({ err: e }, 'slack handler failed');
  });

  return { app, ...(receiver ? { receiver } : {}), socketMode };
}
