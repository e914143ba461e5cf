/**
 * The Discord handlers, shared by the gateway and the HTTP endpoint: an InteractionInput in, an
 * InteractionResult out. Everything answers in the initial response (the core is fast), so no
 * interaction ever shows "The application did not respond"; the one exception is a pin whose
 * Discord call is slow, which is deferred and followed up (see ./pin.ts).
 */
import type { APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import { LRUCache } from 'lru-cache';
import { picked, overLimit, QUANT_CHOICES, selectChange, stateOf, verdictOf } from '../../commands/follow-up.js';
import { ANSWER_WITH, answerChoice, saveChoices } from '../../commands/ask.js';
import { commands } from '../../commands/index.js';
import { compareInputOfOptions } from '../../commands/options.js';
import { planInputOfOptions } from '../../commands/plan.js';
import { reportsInputOfOptions } from '../../commands/report.js';
import type { CommandContext, ModelLookup, Reply } from '../../commands/types.js';
import type { Catalog, Plan, Verdict } from '../core/index.js';
import type { InFlight } from '../in-flight.js';
import type { Logger } from '../log.js';
import type { ChartDelivery, ChartFile } from '../render/charts/delivery.js';
import { withChartImage, type MessageFile } from '../render/discord-chart.js';
import { discordClarify, discordPlan, discordReply, discordVerdict } from '../render/discord-reply.js';
import { sourcesMessage, textMessage } from '../render/discord.js';
import type { Limiter } from '../rate-limit.js';
import type { Store } from '../store/store.js';
import { autocomplete } from './autocomplete.js';
import { decodeChoice, decodeCustomId } from '../render/discord-ids.js';
import { decodeDiscordReportId, REPORT_MODAL_ID } from '../render/report-ids.js';
import { discordReport, reportModal } from '../render/reports.js';
import { quoteLine } from '../render/shared.js';
import type { DiscordMessage, InteractionInput, InteractionResult } from './interaction.js';
import { contextFor, serverPowers, type Powers } from './moderation.js';
import type { GuildManagers } from './permissions.js';
import { answerWithin, DISCORD_FOLLOW_UP, pinButton } from './pin.js';

/** The Discord REST calls the handlers make (discord.js's REST client in production). */
export interface DiscordRest {
  pinMessage(channelId: string, messageId: string, reason: string): Promise<void>;
  /** Replaces a deferred answer (the interaction's original response) through its webhook, with its files (a chart). */
  editOriginal(
    applicationId: string,
    token: string,
    data: APIInteractionResponseCallbackData,
    files?: readonly MessageFile[],
  ): Promise<void>;
  /** The guild's owner and its roles with server-wide powers (GET /guilds/{id}); rejects when Discord does not answer in time. */
  guildManagers(guildId: string): Promise<GuildManagers>;
}

export interface DiscordDeps {
  catalog: Catalog;
  store: Store;
  rest: DiscordRest;
  log: Logger;
  limiter?: Limiter;
  /** Follow-ups still running after the answer; shutdown waits for them. */
  inFlight?: InFlight;
  /** Learns a model the catalog does not hold (a lookup may defer the answer); absent when lookup is off. */
  lookup?: ModelLookup | undefined;
  /** A verdict's or a plan's chart within its budget (CHARTS=on); absent: answers are text alone. */
  charts?: ChartDelivery | undefined;
}

const ephemeral = (content: string): InteractionResult => ({
  type: 'message',
  data: textMessage(content),
  ephemeral: true,
});

/** A picked choice whose stored question is gone. */
/** An answer (a lookup included) ready within this long goes out at once; a slower one is deferred and edited. */
export const ASK_ANSWER_WITHIN_MS = 2000;

const ASK_AGAIN = 'That question is too old to pick from; ask again with /ask.';

/** A settings change from a member whose guild permissions Discord did not give us in time. */
const UNCHECKED = "I couldn't check your server permissions with Discord; try again in a minute.";

/**
 * Rendered verdict messages for recent questions: the same verdict object (from the verdict
 * cache) with the same pin notice renders to the same message, so it is built once.
 */
const rendered = new LRUCache<Verdict, Map<string, APIInteractionResponseCallbackData>>({ max: 1000 });

/** The shared-query id of a cached verdict object, so a repeated question costs no hash or read. */
const stateIds = new WeakMap<Verdict, { id: string; at: number }>();

async function renderVerdict(
  reply: Extract<Reply, { kind: 'verdict' }>,
  deps: DiscordDeps,
): Promise<APIInteractionResponseCallbackData> {
  const now = Date.now();
  let state = stateIds.get(reply.verdict);
  // Saved again hourly, so the store sees it is still posted and keeps it; never cached unsaved.
  if (!state || now - state.at > 3_600_000) {
    const id = await deps.store.saveQuery(reply.verdict.query as unknown as Record<string, unknown>);
    state = id === undefined ? undefined : { id, at: now };
    if (state) stateIds.set(reply.verdict, state);
  }
  // Not stored (lock held, disk full): the verdict goes out now, without components.
  const stateId = state?.id;
  const pin = reply.existingPin;
  const community = (reply.community ?? []).map(
    (c) => `${c.device}:${c.runs}:${c.medianDecode}:${c.medianPrefill}:${c.outsideBand}`,
  );
  const key = `${stateId}|${pin ? `${pin.id}:${pin.stale}:${pin.headline}` : ''}|${reply.notes.join('|')}|${community.join(',')}`;
  let byKey = rendered.get(reply.verdict);
  if (!byKey) rendered.set(reply.verdict, (byKey = new Map()));
  let data = byKey.get(key);
  if (!data) {
    data = discordVerdict(reply, stateId, QUANT_CHOICES);
    if (byKey.size < 20) byKey.set(key, data);
  }
  return data;
}

/** Messages with their chart's image, per rendered message: a repeated question builds nothing. */
const charted = new WeakMap<
  APIInteractionResponseCallbackData,
  { chart: ChartFile; data: APIInteractionResponseCallbackData }
>();

/**
 * The message with its chart, once `chart` settles (within the charts' budget): the embed shows the
 * attached file. With charts on, `files` is always there, empty when there is no chart, so that a
 * select that changes a verdict in place also removes the old chart.
 */
async function withChart(
  data: APIInteractionResponseCallbackData,
  chart: Promise<ChartFile | undefined> | undefined,
): Promise<DiscordMessage> {
  if (!chart) return { data };
  const c = await chart;
  if (!c) return { data, files: [] };
  let done = charted.get(data);
  if (done?.chart !== c) charted.set(data, (done = { chart: c, data: withChartImage(data, c) }));
  return { data: done.data, files: [{ name: c.name, data: c.png, description: c.alt }] };
}

const chartOf = (deps: DiscordDeps, answer: { verdict: Verdict } | { plan: Plan }) =>
  deps.charts && ('verdict' in answer ? deps.charts.forVerdict(answer.verdict) : deps.charts.forPlan(answer.plan));

/**
 * A reply as the interaction's answer; `lead` goes first in a verdict's or an ask-back's content
 * (the quote of a message answered with the message command). A verdict's or a plan's chart is
 * drawn while its state is stored.
 */
async function replyToResult(
  reply: Reply,
  deps: DiscordDeps,
  channelPublic: boolean,
  lead = '',
): Promise<InteractionResult> {
  if (reply.kind === 'verdict') {
    const chart = chartOf(deps, reply);
    const data = await renderVerdict(reply, deps);
    // The rendered message is cached and shared: the lead goes on a copy.
    const message = await withChart(lead ? { ...data, content: lead.trimEnd() } : data, chart);
    return { type: 'message', ...message, ephemeral: !channelPublic };
  }
  if (reply.kind === 'clarify')
    return { type: 'message', ...discordClarify(reply, await saveChoices(deps.store, reply.choices), lead) };
  if (reply.kind === 'plan') {
    const chart = chartOf(deps, reply);
    // Its Pin button carries the plan's state; not stored (lock held, disk full): no button.
    const plan = discordPlan(reply, await deps.store.saveQuery(stateOf(reply)!));
    const message = await withChart(lead ? { ...plan.data, content: lead.trimEnd() } : plan.data, chart);
    return { type: 'message', ...message, ephemeral: plan.ephemeral };
  }
  return { type: 'message', ...discordReply(reply) };
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

export async function handleInteraction(i: InteractionInput, deps: DiscordDeps): Promise<InteractionResult> {
  if (i.kind === 'ping') return { type: 'pong' };
  // Learned models are offered only while lookup is on: with it off, /compare could not learn them.
  if (i.kind === 'autocomplete')
    return { type: 'autocomplete', choices: await autocomplete(i, deps.catalog, deps.lookup ? deps.store : undefined) };
  const powers = serverPowers(i, deps);
  const ctx = contextFor(i, deps, powers);
  const limited = await overLimit(deps.limiter, ctx.serverId, i.user.id);
  if (limited) return replyToResult(limited, deps, false);
  if (i.kind === 'command') return runCommand(i, ctx, deps, powers);
  if (i.kind === 'modal') return runModal(i, ctx, deps);
  return runComponent(i, ctx, deps);
}

async function runCommand(
  i: InteractionInput,
  ctx: CommandContext,
  deps: DiscordDeps,
  powers: () => Promise<Powers>,
): Promise<InteractionResult> {
  const { name, options: o } = i.command!;
  switch (name) {
    case 'compare': {
      const parsed = commands.compare.schema.safeParse(compareInputOfOptions(o));
      if (!parsed.success)
        return ephemeral(`${parsed.error.issues[0]!.message}. Try \`/compare model:llama-3.3-70b workflow:coding\`.`);
      // Public in a server, so moderators can pin it; deferred like /ask when a model lookup is slow.
      return answerWithin(
        commands.compare.execute(ctx, parsed.data).then((r) => replyToResult(r, deps, true)),
        ASK_ANSWER_WITHIN_MS,
        false,
      );
    }
    case 'plan': {
      const parsed = commands.plan.schema.safeParse(planInputOfOptions(o));
      if (!parsed.success)
        return ephemeral(`${parsed.error.issues[0]!.message}. Try \`/plan machine:rtx-3090 workflow:coding\`.`);
      // Public, like /compare: the channel sees what each machine runs.
      return replyToResult(await commands.plan.execute(ctx, parsed.data), deps, true);
    }
    case 'ask': {
      const parsed = commands.ask.schema.safeParse({ question: o.question ?? '' });
      if (!parsed.success) return ephemeral(`${parsed.error.issues[0]!.message}.`);
      // Public in a server, like /compare, so moderators can pin it. A model looked up on the Hub
      // can take longer than Discord's 3 s: past ASK_ANSWER_WITHIN_MS the answer is deferred, then edited.
      return answerWithin(
        commands.ask.execute(ctx, parsed.data).then((r) => replyToResult(r, deps, true)),
        ASK_ANSWER_WITHIN_MS,
        false,
      );
    }
    case ANSWER_WITH:
      return answerMessage(i, ctx, deps);
    case 'verdicts':
      return replyToResult(await commands.pins.execute(ctx, { action: 'list', page: num(o.page) ?? 1 }), deps, true);
    case 'settings': {
      const set = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
      // Said plainly: "only server managers" would be wrong when Discord, not the member, is the problem.
      if (Object.keys(set).length > 0 && (await powers()) === 'unchecked') return ephemeral(UNCHECKED);
      return replyToResult(await commands.settings.execute(ctx, { set }), deps, false);
    }
    case 'help':
      return replyToResult(await commands.help.execute(), deps, false);
    case 'report':
    case 'reports': {
      if (i.guildId === null) return ephemeral(NOT_IN_A_SERVER);
      const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      // No paste: a form, whose paste keeps its lines (a slash command's option is one line).
      if (name === 'report' && str('paste') === undefined)
        return {
          type: 'modal',
          data: reportModal({ machine: str('machine'), model: str('model'), quant: str('quant') }),
        };
      const input =
        name === 'report'
          ? { action: 'submit', text: o.paste ?? '', machine: o.machine, model: o.model, quant: o.quant }
          : reportsInputOfOptions(o);
      const parsed = commands.report.schema.safeParse(input);
      if (!parsed.success) return ephemeral(`${parsed.error.issues[0]!.message}.`);
      // A saved report is public, so the channel's moderators can approve it with its buttons.
      return replyToResult(await commands.report.execute(ctx, parsed.data), deps, false);
    }
    default:
      return ephemeral(`I don't know /${name}. Try /ask, /compare, /plan, /verdicts or /settings.`);
  }
}

/** The answer to a message without text ("Answer with whichgpu" on an image, an embed, a sticker). */
export const NO_TEXT =
  'That message has no text for me to read. Use "Answer with whichgpu" on a message that asks a question in words, or ask with /ask.';

/**
 * "Answer with whichgpu" on a member's message: its text answered publicly, led by a short quote
 * of it and a link to it. A refusal or the help stays private to whoever used the command.
 *
 * The answer is the interaction's own response, not a REST post with `message_reference`: an
 * interaction response cannot reference a message, and a REST reply needs the bot as a member of
 * the guild with Send Messages and Read Message History in that channel, which a user-installed
 * app (registered for both install types) never has, and a guild install often lacks in a given
 * channel (50013). It would also leave the interaction to answer separately (an ephemeral "done",
 * or a deferral to delete), twice the calls against the rate limits and two more ways to fail
 * (50013, 10008 when the message is deleted meanwhile). The quote and the jump link carry the
 * same context in every install, within Discord's 3 s, with no call back to Discord.
 */
async function answerMessage(i: InteractionInput, ctx: CommandContext, deps: DiscordDeps): Promise<InteractionResult> {
  const target = i.command!.target;
  const text = target?.content.trim() ?? '';
  if (!target || text === '') return ephemeral(NO_TEXT);
  const parsed = commands.ask.schema.safeParse({ question: text });
  if (!parsed.success) return ephemeral(NO_TEXT);
  const link = `https://discord.com/channels/${i.guildId ?? '@me'}/${i.channelId}/${target.id}`;
  return answerWithin(
    commands.ask.execute(ctx, parsed.data).then((r) => replyToResult(r, deps, true, `${quoteLine(text)}\n${link}\n`)),
    ASK_ANSWER_WITHIN_MS,
    false,
  );
}

/** The /report form submitted: the same as /report with its options. */
async function runModal(i: InteractionInput, ctx: CommandContext, deps: DiscordDeps): Promise<InteractionResult> {
  const { customId, fields } = i.modal!;
  if (customId !== REPORT_MODAL_ID) return ephemeral('That form is not mine any more; send /report again.');
  if (i.guildId === null) return ephemeral(NOT_IN_A_SERVER);
  const blank = (v: string | undefined) => (v?.trim() ? v : undefined);
  const parsed = commands.report.schema.safeParse({
    action: 'submit',
    text: fields.paste ?? '',
    machine: blank(fields.machine),
    model: blank(fields.model),
    quant: blank(fields.quant),
  });
  if (!parsed.success) return ephemeral(`${parsed.error.issues[0]!.message}.`);
  return replyToResult(await commands.report.execute(ctx, parsed.data), deps, false);
}

/** Reports belong to a server: where /report was sent outside one. */
export const NOT_IN_A_SERVER = "Reports belong to a server and its moderators: send /report from a server's channel.";

/**
 * Approve, Reject and Delete on a report, and the list's pager. On a pending report's message the
 * review replaces it (saying who reviewed); from the moderators' list it is answered apart, the
 * list left as it was. A refusal is private either way.
 */
async function reportButton(
  button: NonNullable<ReturnType<typeof decodeDiscordReportId>>,
  i: InteractionInput,
  ctx: CommandContext,
  deps: DiscordDeps,
): Promise<InteractionResult> {
  if (button.kind === 'page') {
    const reply = await commands.report.execute(ctx, { action: 'list', status: button.filter, page: button.page });
    const result = await replyToResult(reply, deps, false);
    return reply.kind === 'report' && result.type === 'message' ? { type: 'update', data: result.data } : result;
  }
  const reply = await commands.report.execute(ctx, { action: button.verb, ids: button.ids });
  if (reply.kind !== 'report' || button.inList) return replyToResult(reply, deps, false);
  return { type: 'update', data: discordReport(reply.report, { reviewer: i.user.id }).data };
}

async function runComponent(i: InteractionInput, ctx: CommandContext, deps: DiscordDeps): Promise<InteractionResult> {
  const { customId, values, messageId } = i.component!;
  const report = decodeDiscordReportId(customId);
  if (report) return reportButton(report, i, ctx, deps);
  const { action, arg } = decodeCustomId(customId);
  switch (action) {
    case 'quant':
    case 'ctx': {
      const value = values[0];
      if (!arg || !value) return ephemeral(DISCORD_FOLLOW_UP.tooOldToChange);
      const change = selectChange(action === 'quant' ? 'quant' : 'context', value);
      const result = await replyToResult(await picked(ctx, DISCORD_FOLLOW_UP, arg, change), deps, true);
      // A changed quant or context updates the message in place, its chart too; an error stays private.
      return result.type === 'message' && !result.ephemeral
        ? { type: 'update', data: result.data, ...(result.files ? { files: result.files } : {}) }
        : result;
    }
    case 'src': {
      const found = await verdictOf(ctx, DISCORD_FOLLOW_UP, arg);
      if ('reply' in found) return replyToResult(found.reply, deps, false);
      return { type: 'message', data: sourcesMessage(found.verdict), ephemeral: true };
    }
    case 'pin':
      return pinButton(i, ctx, deps, { stateId: arg, messageId }, (r) => replyToResult(r, deps, false));
    case 'refresh':
    case 'unpin':
      return replyToResult(await commands.pins.execute(ctx, { action, id: Number(arg) }), deps, false);
    case 'ask': {
      // A picked choice of an ask-back: its question answered as a new message, in the same channel.
      const choice = decodeChoice(arg);
      if (!choice) return ephemeral(ASK_AGAIN);
      return replyToResult(await answerChoice(ctx, choice.stateId, choice.index, ASK_AGAIN), deps, true);
    }
    case 'page': {
      const reply = await commands.pins.execute(ctx, { action: 'list', page: Math.max(1, Number(arg) || 1) });
      const result = await replyToResult(reply, deps, true);
      return result.type === 'message' ? { type: 'update', data: result.data } : result;
    }
    default:
      return ephemeral('That button is not mine any more; ask again with /compare.');
  }
}

/**
 * The message that replaces a deferred answer: what `later` settles with, or a short apology with a
 * reference id when it failed (the failure is logged here, once, for both transports).
 */
export async function deferredMessage(
  later: Promise<DiscordMessage>,
  interactionId: string,
  log: Logger,
): Promise<DiscordMessage> {
  try {
    return await later;
  } catch (e) {
    log.error({ err: e, interaction: interactionId }, 'deferred interaction failed');
    return { data: textMessage(`Something went wrong on my side (ref ${interactionId}). Try again in a moment.`) };
  }
}

/** HTTP transport: edits the deferred answer when its outcome is ready; never throws. */
export async function followUp(i: InteractionInput, later: Promise<DiscordMessage>, deps: DiscordDeps): Promise<void> {
  const { data, files } = await deferredMessage(later, i.id, deps.log);
  await deps.rest
    .editOriginal(i.applicationId, i.token, { ...data, allowed_mentions: { parse: [] } }, files)
    .catch((e: unknown) => {
      deps.log.error({ err: e, interaction: i.id }, 'could not edit the deferred answer');
    });
}
