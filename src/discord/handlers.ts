/**
 * The Discord handlers, shared by the gateway and the HTTP endpoint: an InteractionInput in, an
 * InteractionResult out. Everything answers in the initial response (the core is fast), so no
 * interaction ever shows "The application did not respond"; the one exception is a pin whose
 * Discord call is slow, which is deferred and followed up (see `answerWithin`).
 */
import { PermissionFlagsBits, type APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import { LRUCache } from 'lru-cache';
import { commands } from '../../commands/index.js';
import { inputOfQuery } from '../../commands/pins.js';
import type { CommandContext, PermissionWords, Reply } from '../../commands/types.js';
import { compact, suggestModels, type Catalog, type Verdict } from '../core/index.js';
import type { InFlight } from '../in-flight.js';
import type { Logger } from '../log.js';
import { pinsMessage, settingsMessage, sourcesMessage, textMessage, verdictMessage } from '../render/discord.js';
import { cooldownMessage, type RateLimiter } from '../rate-limit.js';
import type { Store } from '../store/store.js';
import type { InteractionInput, InteractionResult } from './interaction.js';
import { holdsServerWide, type GuildManagers } from './permissions.js';

/** The Discord REST calls the handlers make (discord.js's REST client in production). */
export interface DiscordRest {
  pinMessage(channelId: string, messageId: string, reason: string): Promise<void>;
  /** Replaces a deferred answer (the interaction's original response) through its webhook. */
  editOriginal(applicationId: string, token: string, data: APIInteractionResponseCallbackData): Promise<void>;
  /** The guild's owner and its roles with server-wide powers (GET /guilds/{id}); rejects when Discord does not answer in time. */
  guildManagers(guildId: string): Promise<GuildManagers>;
}

export interface DiscordDeps {
  catalog: Catalog;
  store: Store;
  rest: DiscordRest;
  log: Logger;
  limiter?: RateLimiter;
  /** Follow-ups still running after the answer; shutdown waits for them. */
  inFlight?: InFlight;
}

/** Quantizations offered in the select, most useful first. */
const QUANT_CHOICES = [
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

/** Discord error codes the pin call can answer with. */
const PINS_FULL = 30003;
const MISSING_PERMISSIONS = 50013;
const UNKNOWN_MESSAGE = 10008;
const MISSING_ACCESS = 50001;

const ephemeral = (content: string): InteractionResult => ({
  type: 'message',
  data: textMessage(content),
  ephemeral: true,
});

/** Who may moderate and administer, in Discord's words. */
export const DISCORD_WORDS: PermissionWords = {
  moderators: 'moderators',
  administrators: 'server managers',
  moderatorHint: 'Ask someone with the Pin Messages permission in that channel, Manage Server, or the moderator role.',
  adminHint: 'Ask someone with the Manage Server permission or the moderator role.',
  elsewhereHint:
    'Pin Messages counts in the channel the verdict was pinned in: do it from there, or ask someone with Manage Server or the moderator role.',
};

/** A settings change from a member whose guild permissions Discord did not give us in time. */
const UNCHECKED = "I couldn't check your server permissions with Discord; try again in a minute.";

/** The member's server-wide powers; 'unchecked' when the guild could not be read (refused, but said so). */
type Powers = 'yes' | 'no' | 'unchecked';

/**
 * Settings, the moderator role and pins of other channels: the moderator role, or Administrator or
 * Manage Server in the guild's own permissions, or ownership. Never the interaction's
 * `member.permissions`: they are the channel's, and a channel overwrite can put these bits there
 * (see ./permissions.ts). Asked at most once an interaction; the guild read is cached a minute.
 */
function serverPowers(i: InteractionInput, deps: DiscordDeps): () => Promise<Powers> {
  let answer: Promise<Powers> | undefined;
  const ask = async (guildId: string): Promise<Powers> => {
    const role = deps.store.settings('discord', guildId).moderator_role;
    if (role !== null && i.memberRoles.includes(role)) return 'yes';
    try {
      return holdsServerWide(await deps.rest.guildManagers(guildId), guildId, i.user.id, i.memberRoles) ? 'yes' : 'no';
    } catch (e) {
      deps.log.warn({ err: e, guildId }, "could not read the guild's roles; refusing server-wide powers");
      return 'unchecked';
    }
  };
  return () => (answer ??= i.guildId === null ? Promise.resolve('no') : ask(i.guildId));
}

function contextFor(i: InteractionInput, deps: DiscordDeps, powers: () => Promise<Powers>): CommandContext {
  return {
    catalog: deps.catalog,
    store: deps.store,
    platform: 'discord',
    serverId: i.guildId ?? `dm:${i.user.id}`,
    channelId: i.channelId,
    user: i.user,
    permissionWords: DISCORD_WORDS,
    canAdminister: async () => (await powers()) === 'yes',
    // Pin Messages (split from Manage Messages in 2025) is the channel's, so it counts only in the interaction's own.
    canModerate: async (channelId = i.channelId) =>
      (i.guildId !== null &&
        channelId === i.channelId &&
        ((i.memberPermissions ?? 0n) & PermissionFlagsBits.PinMessages) !== 0n) ||
      (await powers()) === 'yes',
  };
}

/**
 * Rendered verdict messages for recent questions: the same verdict object (from the verdict
 * cache) with the same pin notice renders to the same message, so it is built once.
 */
const rendered = new LRUCache<Verdict, Map<string, APIInteractionResponseCallbackData>>({ max: 1000 });

/** The shared-query id of a cached verdict object, so a repeated question costs no hash or read. */
const stateIds = new WeakMap<Verdict, { id: string; at: number }>();

function renderVerdict(
  reply: Extract<Reply, { kind: 'verdict' }>,
  deps: DiscordDeps,
): APIInteractionResponseCallbackData {
  const now = Date.now();
  let state = stateIds.get(reply.verdict);
  // Saved again hourly, so the store sees it is still posted and keeps it; never cached unsaved.
  if (!state || now - state.at > 3_600_000) {
    const id = deps.store.saveQuery(reply.verdict.query as unknown as Record<string, unknown>);
    state = id === undefined ? undefined : { id, at: now };
    if (state) stateIds.set(reply.verdict, state);
  }
  // Not stored (lock held, disk full): the verdict goes out now, without components.
  const stateId = state?.id;
  const pin = reply.existingPin;
  const key = `${stateId}|${pin ? `${pin.id}:${pin.stale}:${pin.headline}` : ''}|${reply.notes.join('|')}`;
  let byKey = rendered.get(reply.verdict);
  if (!byKey) rendered.set(reply.verdict, (byKey = new Map()));
  let data = byKey.get(key);
  if (!data) {
    data = verdictMessage(reply.verdict, {
      stateId,
      quants: QUANT_CHOICES,
      ...(pin ? { existingPin: pin } : {}),
      notes: reply.notes,
    });
    if (byKey.size < 20) byKey.set(key, data);
  }
  return data;
}

function replyToResult(reply: Reply, deps: DiscordDeps, channelPublic: boolean): InteractionResult {
  switch (reply.kind) {
    case 'verdict':
      return { type: 'message', data: renderVerdict(reply, deps), ephemeral: !channelPublic };
    case 'pins':
      return { type: 'message', data: pinsMessage(reply.page, reply.canModerate), ephemeral: false };
    case 'settings':
      return { type: 'message', data: settingsMessage(reply.settings, reply.changed), ephemeral: true };
    case 'pinned':
      return ephemeral(
        reply.alreadyPinned
          ? `Already pinned as #${reply.pin.id}.`
          : `📌 Pinned as #${reply.pin.id}. \`/verdicts\` lists the server's pins.`,
      );
    case 'refreshed':
      return ephemeral(
        `Refreshed #${reply.pin.id} with today's data:\n${reply.changes.map((c) => `• ${c}`).join('\n')}`,
      );
    case 'unpinned':
      return ephemeral(
        `Unpinned #${reply.pin.id} from the list. (The Discord pin stays until a moderator removes it.)`,
      );
    case 'help':
      return ephemeral(`\`\`\`\n${reply.text}\n\`\`\``);
    case 'error':
      return ephemeral(`${reply.error.message}${reply.error.hint ? `\n${reply.error.hint}` : ''}`);
  }
}

/** /compare's Discord option names -> the command's input fields; a value of another type is ignored. */
const COMPARE_FIELDS = new Map<string, { key: string; type: 'string' | 'number' }>(
  Object.entries({
    model: { key: 'model', type: 'string' },
    quant: { key: 'quant', type: 'string' },
    context: { key: 'contextTokens', type: 'number' },
    workflow: { key: 'workflow', type: 'string' },
    priority: { key: 'priority', type: 'string' },
    against: { key: 'against', type: 'string' },
    hours: { key: 'hoursPerDay', type: 'number' },
    kwh_price: { key: 'kwhPrice', type: 'number' },
    years: { key: 'years', type: 'number' },
    tokens_per_day: { key: 'tokensPerDay', type: 'number' },
    api_price: { key: 'apiPricePerMTok', type: 'number' },
  } as const),
);

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

export async function handleInteraction(i: InteractionInput, deps: DiscordDeps): Promise<InteractionResult> {
  if (i.kind === 'ping') return { type: 'pong' };
  if (i.kind === 'autocomplete') return { type: 'autocomplete', choices: autocomplete(i, deps.catalog) };
  const powers = serverPowers(i, deps);
  const ctx = contextFor(i, deps, powers);
  const allowed = deps.limiter?.take(ctx.serverId, i.user.id) ?? { ok: true };
  if (!allowed.ok) return ephemeral(cooldownMessage(allowed));
  if (i.kind === 'command') return runCommand(i, ctx, deps, powers);
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
      const input: Record<string, string | number> = {};
      for (const option in o) {
        const field = COMPARE_FIELDS.get(option);
        const v = o[option];
        if (field && typeof v === field.type) input[field.key] = v as string | number;
      }
      const parsed = commands.compare.schema.safeParse(input);
      if (!parsed.success)
        return ephemeral(`${parsed.error.issues[0]!.message}. Try \`/compare model:llama-3.3-70b workflow:coding\`.`);
      // Public in a server, so moderators can pin it.
      return replyToResult(await commands.compare.execute(ctx, parsed.data), deps, true);
    }
    case 'verdicts':
      return replyToResult(
        await commands.verdicts.execute(ctx, { action: 'list', page: num(o.page) ?? 1 }),
        deps,
        true,
      );
    case 'settings': {
      const set = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
      // Said plainly: "only server managers" would be wrong when Discord, not the member, is the problem.
      if (Object.keys(set).length > 0 && (await powers()) === 'unchecked') return ephemeral(UNCHECKED);
      return replyToResult(await commands.settings.execute(ctx, { set }), deps, false);
    }
    case 'help':
      return replyToResult(await commands.help.execute(), deps, false);
    default:
      return ephemeral(`I don't know /${name}. Try /compare, /verdicts or /settings.`);
  }
}

function recompute(ctx: CommandContext, stateId: string, change: Record<string, unknown>) {
  const stored = ctx.store.loadQuery(stateId);
  if (!stored) return undefined;
  return commands.compare.execute(ctx, { ...inputOfQuery(stored), ...change });
}

async function runComponent(i: InteractionInput, ctx: CommandContext, deps: DiscordDeps): Promise<InteractionResult> {
  const { customId, values, messageId } = i.component!;
  const [action, arg] = customId.split(':') as [string, string | undefined];
  const expired = ephemeral('That verdict is too old to change; ask again with /compare.');
  switch (action) {
    case 'quant':
    case 'ctx': {
      const value = values[0];
      if (!arg || !value) return expired;
      const change = action === 'quant' ? { quant: value } : { contextTokens: Number(value) };
      const reply = await recompute(ctx, arg, change);
      if (!reply) return expired;
      const result = replyToResult(reply, deps, true);
      // A changed quant or context updates the message in place; an error stays private.
      return result.type === 'message' && !result.ephemeral ? { type: 'update', data: result.data } : result;
    }
    case 'src': {
      const reply = arg ? await recompute(ctx, arg, {}) : undefined;
      if (!reply || reply.kind !== 'verdict') return expired;
      return { type: 'message', data: sourcesMessage(reply.verdict), ephemeral: true };
    }
    case 'pin':
      return pin(i, ctx, deps, arg, messageId);
    case 'refresh':
    case 'unpin':
      return replyToResult(await commands.verdicts.execute(ctx, { action, id: Number(arg) }), deps, false);
    case 'page': {
      const reply = await commands.verdicts.execute(ctx, { action: 'list', page: Math.max(1, Number(arg) || 1) });
      const result = replyToResult(reply, deps, true);
      return result.type === 'message' ? { type: 'update', data: result.data } : result;
    }
    default:
      return ephemeral('That button is not mine any more; ask again with /compare.');
  }
}

/**
 * The pin answer is sent in the initial response when it is ready within this long of the click,
 * queue time in the REST client included; past it the click is deferred and the outcome edits the
 * deferred answer. Discord gives up on an initial response after 3 s; the rest is margin for a
 * busy loop and, on the gateway, the deferral's own round trip.
 */
export const PIN_ANSWER_WITHIN_MS = 2000;

async function pin(
  i: InteractionInput,
  ctx: CommandContext,
  deps: DiscordDeps,
  stateId: string | undefined,
  messageId: string,
): Promise<InteractionResult> {
  const started = performance.now();
  // Permission first: a refused member costs Discord nothing (and us no invalid-request strikes).
  if (!(await ctx.canModerate()))
    return ephemeral("Only moderators can pin verdicts: members with Pin Messages or the server's moderator role.");
  if (i.appPermissions === null)
    return ephemeral(
      'I am not a member of this server, so I cannot pin here. Ask an admin to add the bot with Pin Messages.',
    );
  if ((i.appPermissions & PermissionFlagsBits.PinMessages) === 0n)
    return ephemeral('I need the **Pin Messages** permission in this channel to pin. Ask an admin to grant it.');
  const reply = stateId ? await recompute(ctx, stateId, {}) : undefined;
  if (!reply || reply.kind !== 'verdict') return ephemeral('That verdict is too old to pin; ask again with /compare.');
  const outcome = deps.rest
    .pinMessage(i.channelId, messageId, `whichgpu: pinned by ${i.user.name} (${i.user.id})`)
    .then(
      async () =>
        replyToResult(
          await commands.pin.execute(ctx, {
            channelId: i.channelId,
            messageId,
            verdict: reply.verdict,
            ...(stateId ? { stateId } : {}),
          }),
          deps,
          false,
        ),
      (e: unknown) => pinRefused(e, i.channelId, messageId, deps),
    );
  return answerWithin(outcome, PIN_ANSWER_WITHIN_MS - (performance.now() - started));
}

function pinRefused(e: unknown, channelId: string, messageId: string, deps: DiscordDeps): InteractionResult {
  const { code, name } = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; name?: unknown };
  deps.log.warn({ err: e, code, channelId, messageId }, 'pin failed');
  if (code === PINS_FULL)
    return ephemeral("This channel already has 250 pins, Discord's maximum. Unpin an old message and try again.");
  if (code === MISSING_PERMISSIONS || code === MISSING_ACCESS)
    return ephemeral('Discord refused: I lack Pin Messages (or access) in this channel. Ask an admin to grant it.');
  if (code === UNKNOWN_MESSAGE) return ephemeral('That message no longer exists, so it cannot be pinned.');
  if (name === 'RateLimitError')
    return ephemeral('Discord is rate-limiting pins in this channel, so nothing was pinned. Try again in a minute.');
  // A timed-out request may have reached Discord: pinning again is harmless (the pin call is idempotent).
  return ephemeral(
    'Discord did not answer the pin request in time, so it may not be pinned. Press 📌 again in a minute; pinning twice is harmless.',
  );
}

/** `outcome` as the initial response when it settles within `ms`; otherwise a deferred answer that it replaces. */
async function answerWithin(outcome: Promise<InteractionResult>, ms: number): Promise<InteractionResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
  const first = await Promise.race([outcome, late]).finally(() => clearTimeout(timer));
  if (first) return first;
  const later = outcome.then((r) => (r.type === 'message' || r.type === 'update' ? r.data : textMessage('Done.')));
  return { type: 'deferred', ephemeral: true, later };
}

/**
 * The message that replaces a deferred answer: what `later` settles with, or a short apology with a
 * reference id when it failed (the failure is logged here, once, for both transports).
 */
export async function deferredMessage(
  later: Promise<APIInteractionResponseCallbackData>,
  interactionId: string,
  log: Logger,
): Promise<APIInteractionResponseCallbackData> {
  try {
    return await later;
  } catch (e) {
    log.error({ err: e, interaction: interactionId }, 'deferred interaction failed');
    return textMessage(`Something went wrong on my side (ref ${interactionId}). Try again in a moment.`);
  }
}

/** HTTP transport: edits the deferred answer when its outcome is ready; never throws. */
export async function followUp(
  i: InteractionInput,
  later: Promise<APIInteractionResponseCallbackData>,
  deps: DiscordDeps,
): Promise<void> {
  const data = await deferredMessage(later, i.id, deps.log);
  await deps.rest
    .editOriginal(i.applicationId, i.token, { ...data, allowed_mentions: { parse: [] } })
    .catch((e: unknown) => {
      deps.log.error({ err: e, interaction: i.id }, 'could not edit the deferred answer');
    });
}

/** At most 25 choices, served from memory: what the user typed first, then matching catalog names. */
export function autocomplete(i: InteractionInput, catalog: Catalog): { name: string; value: string }[] {
  const focused = i.command?.focused;
  if (!focused) return [];
  const typed = focused.value.trim().slice(0, 100);
  const key = compact(typed);
  if (focused.name === 'against') {
    return catalog.devices
      .filter((d) => key === '' || compact(`${d.id} ${d.name} ${d.record.aliases.join(' ')}`).includes(key))
      .slice(0, 25)
      .map((d) => ({ name: d.name.slice(0, 100), value: d.id }));
  }
  if (focused.name !== 'model') return [];
  const byName = catalog.models.filter(
    (m) =>
      key === '' ||
      compact(`${m.id} ${m.name} ${m.record.aliases.join(' ')} ${m.record.ollama.join(' ')}`).includes(key),
  );
  const ranked = byName.length ? byName : suggestModels(catalog, key, 10);
  const choices = ranked.map((m) => ({
    name: `${m.name} (${m.paramsB}B)`.slice(0, 100),
    value: m.record.ollama[0] ?? m.id,
  }));
  if (typed !== '' && !choices.some((c) => compact(c.value) === key)) choices.unshift({ name: typed, value: typed });
  return choices.slice(0, 25);
}
