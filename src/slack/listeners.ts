/**
 * Slack's listeners as exported, typed callbacks (Bolt's starter's way): each takes what Bolt
 * passes it ({ ack, respond, body or command, action, client }), narrowed to what it reads, so a
 * test calls it with plain-object fakes. app.ts only registers them. The work is shared with
 * Discord (commands/follow-up.ts, commands/text.ts); here is the payload, Slack's pin call and
 * who moderates.
 */
import type { RespondArguments } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import {
  overLimit,
  picked,
  pinVerdict,
  QUANT_CHOICES,
  selectChange,
  stateOf,
  verdictOf,
  type FollowUpWords,
  type PinPort,
} from '../../commands/follow-up.js';
import { askReply } from '../../commands/ask.js';
import { commands } from '../../commands/index.js';
import { textReply, type TextFrontEnd } from '../../commands/text.js';
import { storeTrouble } from '../../commands/store-writes.js';
import type { CommandContext, ModelLookup, PermissionWords, Reply } from '../../commands/types.js';
import type { Catalog } from '../core/index.js';
import type { InFlight } from '../in-flight.js';
import type { Logger } from '../log.js';
import type { ChartDelivery, ChartFile } from '../render/charts/delivery.js';
import { slackReply } from '../render/slack-reply.js';
import { decodeSlackReportAction } from '../render/report-ids.js';
import { slackReport } from '../render/reports.js';
import { decodePinMenuOption, decodeSelectOption, QUANT_ACTION, stateIdOfButton } from '../render/slack-ids.js';
import { sourcesBlocks, textBlocks } from '../render/slack.js';
import type { Limiter } from '../rate-limit.js';
import type { Store } from '../store/store.js';
import { SlackModerators, slackErrorCode, type SlackClient, type SlackWhere } from './moderators.js';
import { slackWhere, whereOfAction, type ActionBody } from './where.js';

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

const TOO_OLD = 'That verdict is too old to change; ask again with /whichgpu.';
/** Slack's follow-up sentences (a pin of a gone verdict says "to change", as it always has). */
export const SLACK_FOLLOW_UP: FollowUpWords = {
  tooOldToChange: TOO_OLD,
  tooOldToPin: TOO_OLD,
  notModerator: `Only ${SLACK_WORDS.moderators} can pin verdicts.`,
};

const PIN_ERRORS: Record<string, string> = {
  already_pinned: 'That message is already pinned.',
  not_in_channel: 'I am not in this channel, so I cannot pin here. Invite me with /invite @whichgpu and try again.',
  not_pinnable: 'Slack says that message cannot be pinned.',
  permission_denied: 'Slack refused: I lack the permission to pin in this channel (pins:write).',
  message_not_found: 'That message no longer exists, so it cannot be pinned.',
  channel_not_found: 'I cannot see this channel. Invite me with /invite @whichgpu.',
};

/** What the listeners need: the data, the store, who moderates, the limiter, the logger. */
export interface SlackDeps {
  catalog: Catalog;
  store: Store;
  log: Logger;
  moderators: SlackModerators;
  limiter?: Limiter;
  /** Work still running after an ack; shutdown waits for it. */
  inFlight?: InFlight;
  /** Learns a model the catalog does not hold (after the ack); absent when lookup is off. */
  lookup?: ModelLookup | undefined;
  /** Each public verdict's or plan's chart, uploaded under it (CHARTS=on); absent: answers are text alone. */
  charts?: ChartDelivery | undefined;
}

/** Bolt's respond, narrowed to the message shapes we send. */
export type Respond = (message: RespondArguments) => Promise<unknown>;
type Ack = () => Promise<void>;

/** What a listener of a slash command receives, narrowed to what it reads. */
export interface CommandArgs {
  command: {
    text: string;
    team_id: string;
    enterprise_id?: string;
    is_enterprise_install?: string;
    channel_id: string;
    user_id: string;
    user_name: string;
    trigger_id: string;
  };
  ack: Ack;
  respond: Respond;
  client: SlackClient;
}

/** What a listener of a button or select receives, narrowed to what it reads. */
export interface ActionArgs {
  body: unknown;
  action: unknown;
  ack: Ack;
  respond: Respond;
  client: SlackClient;
}

/** A reply as a Slack message, a verdict's or a plan's state saved for its selects and buttons. */
async function rendered(reply: Reply, store: Store) {
  const state = stateOf(reply);
  return slackReply(reply, state ? await store.saveQuery(state) : undefined, QUANT_CHOICES);
}

/** A reply as a Slack answer: a verdict or an ask-back public, anything else private. */
async function send(respond: Respond, reply: Reply, store: Store, replaceOriginal = false): Promise<void> {
  const { message, public: isPublic } = await rendered(reply, store);
  if (replaceOriginal && isPublic) await respond({ ...message, replace_original: true });
  else await respond({ ...message, response_type: isPublic ? 'in_channel' : 'ephemeral', replace_original: false });
}

/**
 * How long an upload waits for its chart. The answer has gone already, so this is longer than
 * Discord's budget: it only bounds how long a busy machine may keep the work in flight.
 */
export const SLACK_CHART_WAIT_MS = 5000;

/** Where a chart goes: the channel of the answer, or the answer's thread. */
interface ChartTarget {
  serverId: string;
  channel: string;
  threadTs?: string | undefined;
}

/** Refusals that hold for the whole workspace (its scopes, its file settings), not one channel. */
const WORKSPACE_REFUSALS = new Set([
  'missing_scope',
  'not_allowed_token_type',
  'file_uploads_disabled',
  'file_uploads_except_images_disabled',
]);
const CHANNEL_REFUSALS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * Workspaces and channels that refused a chart, left alone for ten minutes (an invite or a
 * reinstall with files:write fixes them): no chart is drawn for them, no call made, no line logged.
 */
const refused = new LRUCache<string, string>({ max: 10_000, ttl: 10 * 60_000 });

/** The chart of a public verdict or plan, started now so it is drawn while the answer is posted; undefined when none goes. */
function chartFor(d: SlackDeps, client: SlackClient, reply: Reply, to: ChartTarget) {
  if (!d.charts || !client.files || !to.channel) return undefined;
  if (refused.has(to.serverId) || refused.has(`${to.serverId}:${to.channel}`)) return undefined;
  if (reply.kind === 'verdict') return d.charts.forVerdict(reply.verdict, SLACK_CHART_WAIT_MS);
  if (reply.kind === 'plan') return d.charts.forPlan(reply.plan, SLACK_CHART_WAIT_MS);
  return undefined;
}

/**
 * The chart uploaded under its answer (files.uploadV2). A refusal (not_in_channel, missing_scope)
 * is logged and the text answer stands: the member is never told, the answer is complete without it.
 */
async function uploadChart(
  d: SlackDeps,
  client: SlackClient,
  chart: Promise<ChartFile | undefined> | undefined,
  to: ChartTarget,
): Promise<void> {
  const c = await chart;
  if (!c || !client.files) return;
  const where = to.threadTs ? { channel_id: to.channel, thread_ts: to.threadTs } : { channel_id: to.channel };
  try {
    await client.files.uploadV2({ ...where, file: c.png, filename: c.name, alt_text: c.alt });
  } catch (e) {
    const code = slackErrorCode(e);
    if (WORKSPACE_REFUSALS.has(code)) refused.set(to.serverId, code);
    else if (CHANNEL_REFUSALS.has(code)) refused.set(`${to.serverId}:${to.channel}`, code);
    d.log.warn({ err: e, code, channel: to.channel }, 'slack chart upload failed; the answer stands as text');
  }
}

/** `send`, then a verdict's or a plan's chart uploaded under it. */
async function sendWithChart(
  d: SlackDeps,
  respond: Respond,
  client: SlackClient,
  reply: Reply,
  to: ChartTarget,
  replaceOriginal = false,
): Promise<void> {
  const chart = chartFor(d, client, reply, to);
  await send(respond, reply, d.store, replaceOriginal);
  await uploadChart(d, client, chart, to);
}

/**
 * ack(), then the work; an unexpected error is logged once and answered briefly, never silently.
 * An ack that fails (Bolt answered 404 first, a Socket Mode connection dropped) is logged and the
 * work still answers through response_url, which Slack honours for 30 minutes.
 */
function ackThen(d: SlackDeps, ack: Ack, respond: Respond, ref: string, work: () => Promise<void>): Promise<void> {
  const run = (async () => {
    try {
      await ack();
    } catch (e) {
      d.log.warn({ err: e, ref }, 'slack ack failed; answering through response_url');
    }
    try {
      await work();
    } catch (e) {
      const trouble = storeTrouble(e);
      if (trouble) d.log.warn({ err: e, ref }, 'slack request refused: the store');
      else d.log.error({ err: e, ref }, 'slack handler failed');
      await respond({
        ...textBlocks(trouble ?? `Something went wrong on my side (ref ${ref}). Try again in a moment.`),
        response_type: 'ephemeral',
        replace_original: false,
      }).catch(() => undefined);
    }
  })();
  // The answer goes out after the ack: shutdown waits for it.
  d.inFlight?.track(run);
  return run;
}

/** The command context of a Slack request: the same people moderate everywhere (no per-channel pin right). */
function contextFor(
  d: SlackDeps,
  where: SlackWhere,
  channelId: string,
  user: CommandContext['user'],
  client: SlackClient,
): CommandContext {
  const canModerate = async () =>
    d.moderators.isModerator(client, where, user.id, (await d.store.settings('slack', where.serverId)).moderator_role);
  return {
    catalog: d.catalog,
    store: d.store,
    platform: 'slack',
    serverId: where.serverId,
    channelId,
    user,
    canModerate,
    canAdminister: canModerate,
    permissionWords: SLACK_WORDS,
    ...(d.lookup ? { lookup: d.lookup } : {}),
  };
}

/** The context of a request, or undefined once the member is over the rate limit (answered already). */
async function admitted(
  d: SlackDeps,
  respond: Respond,
  where: SlackWhere,
  channelId: string,
  user: CommandContext['user'],
  client: SlackClient,
): Promise<CommandContext | undefined> {
  const limited = await overLimit(d.limiter, where.serverId, user.id);
  if (limited) return void (await send(respond, limited, d.store));
  return contextFor(d, where, channelId, user, client);
}

const actionContext = (d: SlackDeps, body: ActionBody, respond: Respond, client: SlackClient) =>
  admitted(
    d,
    respond,
    whereOfAction(body),
    body.channel?.id ?? '',
    { id: body.user.id, name: body.user.name ?? body.user.id },
    client,
  );

const refOf = (body: unknown) => String((body as ActionBody).trigger_id ?? 'action');

/** Slack's text options less the group lookup (`slackText`): an empty line is help, pins are managed from a menu. */
export const SLACK_TEXT = {
  helpWords: new Set(['', 'help']),
  managePins: false,
  settingsText: (args) => args.join(' ').replace(/^set\s+/i, ''),
} satisfies TextFrontEnd;

/** The text grammar as Slack reads it; `settings set moderator_role=@mods` looks the group up once. */
function slackText(d: SlackDeps, where: SlackWhere, client: SlackClient): TextFrontEnd {
  return {
    ...SLACK_TEXT,
    // The group is resolved here, so an unknown one is refused instead of stored.
    settingPairs: async (ctx, set) => {
      const role = set.moderator_role;
      if (role !== undefined && !/^(none|null|-)?$/i.test(role) && (await ctx.canAdminister())) {
        const group = await d.moderators.resolveGroup(client, where, role);
        if (!group.ok)
          return { ok: false, reply: { kind: 'error', error: { code: 'INVALID_QUERY', message: group.message } } };
        set.moderator_role = group.id;
      }
      return { ok: true, set };
    },
  };
}

/** /whichgpu <text>. */
export const whichgpuCommand =
  (d: SlackDeps) =>
  ({ command, ack, respond, client }: CommandArgs): Promise<void> =>
    ackThen(d, ack, respond, command.trigger_id, async () => {
      const where = slackWhere({
        teamId: command.team_id,
        enterpriseId: command.enterprise_id,
        enterpriseInstall: command.is_enterprise_install,
      });
      const user = { id: command.user_id, name: command.user_name };
      const ctx = await admitted(d, respond, where, command.channel_id, user, client);
      if (!ctx) return;
      const text = command.text.trim();
      const reply = await textReply(ctx, slackText(d, where, client), text, text.split(/\s+/));
      await sendWithChart(d, respond, client, reply, { serverId: ctx.serverId, channel: command.channel_id });
    });

/**
 * A button or select listener: ack, then the rate limit, then `work` with the member's context.
 * `accepts` turns away, before the rate limit counts it, an action this bot does not answer.
 */
const onAction =
  (d: SlackDeps, work: (ctx: CommandContext, a: ActionArgs) => Promise<unknown>, accepts = (_: unknown) => true) =>
  (a: ActionArgs): Promise<void> =>
    ackThen(d, a.ack, a.respond, refOf(a.body), async () => {
      if (!accepts(a.action)) return;
      const ctx = await actionContext(d, a.body as ActionBody, a.respond, a.client);
      if (ctx) await work(ctx, a);
    });

/**
 * The quant and context selects on a verdict: the verdict recomputed, in place. Its new chart goes
 * in the verdict's thread: a file cannot join a message posted through response_url, and a thread
 * keeps the channel free of one chart per change.
 */
export const selectAction = (d: SlackDeps) =>
  onAction(d, async (ctx, { body, action, respond, client }) => {
    const a = action as { action_id: string; selected_option?: { value: string } };
    const { stateId, value } = decodeSelectOption(a.selected_option?.value ?? '');
    const change = value === undefined ? {} : selectChange(a.action_id === QUANT_ACTION ? 'quant' : 'context', value);
    const message = (body as ActionBody & { message?: { ts: string; thread_ts?: string } }).message;
    const to = { serverId: ctx.serverId, channel: ctx.channelId, threadTs: message?.thread_ts ?? message?.ts };
    await sendWithChart(d, respond, client, await picked(ctx, SLACK_FOLLOW_UP, stateId, change), to, true);
  });

/** Sources on a verdict: privately, to whoever asked. */
export const sourcesAction = (d: SlackDeps) =>
  onAction(d, async (ctx, { action, respond }) => {
    const stateId = stateIdOfButton((action as { value: string }).value);
    const found = await verdictOf(ctx, SLACK_FOLLOW_UP, stateId);
    if ('reply' in found) return send(respond, found.reply, d.store);
    await respond({ ...sourcesBlocks(found.verdict), response_type: 'ephemeral', replace_original: false });
  });

/** 📌 on a verdict: Slack's pins.add, its errors in plain words; an already pinned message counts as pinned. */
export const pinAction = (d: SlackDeps) =>
  onAction(d, async (ctx, { body, action, respond, client }) => {
    const b = body as ActionBody;
    const channel = b.channel?.id ?? '';
    const ts = b.message?.ts ?? b.container?.message_ts ?? '';
    const port: PinPort = {
      words: SLACK_FOLLOW_UP,
      pin: () => client.pins.add({ channel, timestamp: ts }),
      refused: (e: unknown) => {
        const code = (e as { data?: { error?: string } }).data?.error ?? '';
        d.log.warn({ err: e, code, channel, ts }, 'slack pin failed');
        if (code === 'already_pinned') return undefined;
        return PIN_ERRORS[code] ?? 'Slack did not answer the pin request. Nothing was pinned; try again in a minute.';
      },
    };
    const stateId = (action as { value: string }).value;
    await send(respond, await pinVerdict(ctx, port, { channelId: channel, messageId: ts, stateId }), d.store);
  });

/** Refresh or Unpin from a pin's menu in the pins list. */
const menuChoice = (action: unknown) =>
  decodePinMenuOption((action as { selected_option?: { value: string } }).selected_option?.value ?? '');

export const pinMenuAction = (d: SlackDeps) =>
  onAction(
    d,
    async (ctx, { action, respond }) => {
      const { verb, id } = menuChoice(action)!;
      await send(respond, await commands.pins.execute(ctx, { action: verb, id }), d.store);
    },
    (action) => menuChoice(action) !== undefined,
  );

const reportButtonOf = (action: unknown) => {
  const a = action as { action_id?: string; value?: string };
  return decodeSlackReportAction(a.action_id ?? '', a.value ?? '');
};

/**
 * Approve, Reject and Delete on a community report, and the reports list's pager. On a pending
 * report's message the review replaces it (saying who reviewed); from the moderators' list it is
 * answered apart, and a page replaces the list. A refusal goes to the member alone.
 */
export const reportAction = (d: SlackDeps) =>
  onAction(
    d,
    async (ctx, { action, respond }) => {
      const button = reportButtonOf(action)!;
      if (button.kind === 'page') {
        const reply = await commands.report.execute(ctx, { action: 'list', status: button.filter, page: button.page });
        if (reply.kind !== 'report') return send(respond, reply, d.store);
        return void (await respond({ ...slackReport(reply.report).message, replace_original: true }));
      }
      const reply = await commands.report.execute(ctx, { action: button.verb, ids: button.ids });
      if (reply.kind !== 'report' || button.inList) return send(respond, reply, d.store);
      await respond({ ...slackReport(reply.report, { reviewer: ctx.user.id }).message, replace_original: true });
    },
    (action) => reportButtonOf(action) !== undefined,
  );

/** Slack's refusals of chat.postMessage in a thread, in plain words. */
const POST_ERRORS: Record<string, string> = {
  not_in_channel: 'I am not in this channel, so I cannot answer here. Invite me with /invite @whichgpu and try again.',
  channel_not_found: 'I cannot see this channel. Invite me with /invite @whichgpu.',
  is_archived: 'This channel is archived, so I cannot answer in it.',
  thread_not_found: 'That message or its thread is gone, so there is nothing to answer.',
  msg_too_long: 'My answer was too long for Slack; ask with /whichgpu instead.',
};

/**
 * A public reply posted in a thread (the thread of `threadTs`), a verdict's or a plan's chart under
 * it; a private one, or a post Slack refuses, goes to the member alone through response_url.
 */
async function sendInThread(
  d: SlackDeps,
  respond: Respond,
  client: SlackClient,
  reply: Reply,
  channel: string,
  threadTs: string,
  serverId: string,
): Promise<void> {
  const to = { serverId, channel, threadTs };
  const chart = chartFor(d, client, reply, to);
  const { message, public: isPublic } = await rendered(reply, d.store);
  if (!isPublic) return void (await respond({ ...message, response_type: 'ephemeral', replace_original: false }));
  try {
    await client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks });
  } catch (e) {
    const code = (e as { data?: { error?: string } }).data?.error ?? '';
    d.log.warn({ err: e, code, channel, threadTs }, 'slack thread answer failed');
    const said = POST_ERRORS[code] ?? 'Slack did not take my answer; try again in a minute.';
    return void (await respond({ ...textBlocks(said), response_type: 'ephemeral', replace_original: false }));
  }
  await uploadChart(d, client, chart, to);
}

/** The answer to "Answer with whichgpu" on a message without text (a file, an image, a bot's blocks). */
export const NO_TEXT =
  'That message has no text for me to read. Use "Answer with whichgpu" on a message that asks a question in words.';

/** What the message shortcut's listener receives, narrowed to what it reads. */
export interface ShortcutArgs {
  shortcut: ActionBody & {
    channel?: { id: string };
    message?: { ts: string; thread_ts?: string; text?: string };
  };
  ack: Ack;
  respond: Respond;
  client: SlackClient;
}

/**
 * "Answer with whichgpu" on a member's message: its text answered in the message's thread (the
 * thread it is in, or a new one under it), for everyone there; a refusal or the help goes to the
 * member who used the shortcut alone.
 */
export const answerShortcut =
  (d: SlackDeps) =>
  ({ shortcut, ack, respond, client }: ShortcutArgs): Promise<void> =>
    ackThen(d, ack, respond, shortcut.trigger_id ?? 'shortcut', async () => {
      const message = shortcut.message;
      const channel = shortcut.channel?.id ?? '';
      const user = { id: shortcut.user.id, name: shortcut.user.name ?? shortcut.user.id };
      const ctx = await admitted(d, respond, whereOfAction(shortcut), channel, user, client);
      if (!ctx) return;
      const parsed = commands.ask.schema.safeParse({ question: message?.text ?? '' });
      if (!message || !parsed.success)
        return send(respond, { kind: 'error', error: { code: 'INVALID_QUERY', message: NO_TEXT } }, d.store);
      await sendInThread(
        d,
        respond,
        client,
        await askReply(ctx, parsed.data.question),
        channel,
        message.thread_ts ?? message.ts,
        ctx.serverId,
      );
    });

/**
 * A choice picked on an ask-back: its question (the button's value) answered as a new message,
 * in the thread when the ask-back is in one, else in the channel.
 */
export const askChoiceAction = (d: SlackDeps) =>
  onAction(d, async (ctx, { body, action, respond, client }) => {
    const b = body as ActionBody & { message?: { ts: string; thread_ts?: string } };
    const reply = await askReply(ctx, (action as { value?: string }).value ?? '');
    const threadTs = b.message?.thread_ts;
    const channel = b.channel?.id ?? '';
    if (threadTs) await sendInThread(d, respond, client, reply, channel, threadTs, ctx.serverId);
    else await sendWithChart(d, respond, client, reply, { serverId: ctx.serverId, channel });
  });
