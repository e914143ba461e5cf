/**
 * What a verdict's buttons and selects do, written once for every platform: recompute from the
 * state id a message carries, the quant and context selects, Sources, the pin flow, and the rate
 * limit in front of them. An adapter decodes its payload, supplies a `PinPort` (its platform's pin
 * call, that call's errors in plain words, its wording) and renders the Reply; when an answer goes
 * out (at once, deferred, in place) stays the adapter's.
 */
import type { Verdict } from '../src/core/index.js';
import { cooldownMessage, type Limiter } from '../src/rate-limit.js';
import { commands } from './index.js';
import { inputOfQuery, planInputOfState, planState } from './pin-shared.js';
import type { CommandContext, Reply } from './types.js';

/** Quantizations offered in a verdict's select, most useful first (both platforms). */
export const QUANT_CHOICES = [
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

/** The follow-up sentences that differ per platform (which command to ask again with, whom pinning takes). */
export interface FollowUpWords {
  /** "That verdict is too old to change; ask again with /compare." */
  tooOldToChange: string;
  /** The same for a pin button (Discord says "to pin"). */
  tooOldToPin: string;
  /** A member who may not pin pressed 📌. */
  notModerator: string;
}

/** A plain error reply: every platform shows it as a private message of these words. */
export const refusal = (code: 'FORBIDDEN' | 'NOT_FOUND', message: string): Reply => ({
  kind: 'error',
  error: { code, message },
});

/** The cooldown answer when this member is over the rate limit; undefined when the work may go on. */
export async function overLimit(
  limiter: Limiter | undefined,
  serverId: string,
  userId: string,
): Promise<Reply | undefined> {
  const d = (await limiter?.take(serverId, userId)) ?? { ok: true as const };
  return d.ok ? undefined : refusal('FORBIDDEN', cooldownMessage(d));
}

/**
 * The verdict of the stored question `stateId` with `change` applied, or the plan a plan's state
 * stands for; undefined when the state is gone.
 */
export async function recompute(
  ctx: CommandContext,
  stateId: string,
  change: Record<string, unknown> = {},
): Promise<Reply | undefined> {
  const stored = stateId ? await ctx.store.loadQuery(stateId) : undefined;
  if (!stored) return undefined;
  const planned = planInputOfState(stored);
  if (planned) return commands.plan.execute(ctx, planned);
  return commands.compare.execute(ctx, { ...inputOfQuery(stored), ...change });
}

/**
 * What a posted reply's buttons carry, to be saved as its state: a verdict's query, a plan's
 * planner input; undefined for a reply without buttons. Both platforms save this before rendering.
 */
export function stateOf(reply: Reply): Record<string, unknown> | undefined {
  if (reply.kind === 'verdict') return reply.verdict.query as unknown as Record<string, unknown>;
  if (reply.kind === 'plan') return planState(reply.plan);
  return undefined;
}

export type SelectKind = 'quant' | 'context';

/** What picking `value` in a verdict's quant or context select changes in its question. */
export const selectChange = (kind: SelectKind, value: string): Record<string, unknown> =>
  kind === 'quant' ? { quant: value } : { contextTokens: Number(value) };

/** A select picked on a verdict: the recomputed verdict, or "too old" when its state is gone. */
export async function picked(
  ctx: CommandContext,
  words: FollowUpWords,
  stateId: string,
  change: Record<string, unknown>,
): Promise<Reply> {
  return (await recompute(ctx, stateId, change)) ?? refusal('NOT_FOUND', words.tooOldToChange);
}

/** The verdict a Sources button stands for, or "too old" when it cannot be recomputed. */
export async function verdictOf(
  ctx: CommandContext,
  words: FollowUpWords,
  stateId: string | undefined,
): Promise<{ verdict: Verdict } | { reply: Reply }> {
  const reply = stateId ? await recompute(ctx, stateId) : undefined;
  if (!reply || reply.kind !== 'verdict') return { reply: refusal('NOT_FOUND', words.tooOldToChange) };
  return { verdict: reply.verdict };
}

/** What differs in a pin between platforms. */
export interface PinPort {
  words: FollowUpWords;
  /** A refusal of the platform's own (Discord: the bot lacks Pin Messages), asked after the member's permission. */
  cannotPin?: () => string | undefined;
  /** The platform's pin call on the message the button is on. */
  pin: () => Promise<unknown>;
  /** A failed pin call in plain words (the port logs it), or undefined when the message counts as pinned. */
  refused: (e: unknown) => string | undefined;
}

/** The message a 📌 button is on, and the state id it carried. */
export interface PinTarget {
  channelId: string;
  messageId: string;
  stateId: string | undefined;
}

/**
 * `ctx` once the member's permission in its own channel was asked: asking again there does not ask
 * the platform, while a question about another channel still does.
 */
export const askedHere = (ctx: CommandContext): CommandContext => ({
  ...ctx,
  canModerate: (channelId) =>
    channelId === undefined || channelId === ctx.channelId ? Promise.resolve(true) : ctx.canModerate(channelId),
});

/**
 * 📌 on a verdict or a plan: the member's permission first (a refused member costs the platform nothing),
 * the platform's refusals, the verdict recomputed from its state; then `pinning` runs the pin call
 * and stores the pin with the state id, so pruning keeps the pinned message's buttons working.
 * Split in two so an adapter can time the pin call alone (Discord defers a slow one).
 */
export async function startPin(
  ctx: CommandContext,
  port: PinPort,
  target: PinTarget,
): Promise<{ done: Reply } | { pinning: Promise<Reply> }> {
  if (!(await ctx.canModerate())) return { done: refusal('FORBIDDEN', port.words.notModerator) };
  const own = port.cannotPin?.();
  if (own !== undefined) return { done: refusal('FORBIDDEN', own) };
  const reply = target.stateId ? await recompute(ctx, target.stateId) : undefined;
  if (!reply || (reply.kind !== 'verdict' && reply.kind !== 'plan'))
    return { done: refusal('NOT_FOUND', port.words.tooOldToPin) };
  const pinned = reply.kind === 'verdict' ? { verdict: reply.verdict } : { plan: reply.plan };
  const asked = askedHere(ctx);
  const store = () =>
    commands.pin.execute(asked, {
      channelId: target.channelId,
      messageId: target.messageId,
      ...pinned,
      ...(target.stateId ? { stateId: target.stateId } : {}),
    });
  const pinning = port.pin().then(store, async (e: unknown) => {
    const said = port.refused(e);
    return said === undefined ? store() : refusal('FORBIDDEN', said);
  });
  return { pinning };
}

/** `startPin` through to its answer, for a platform that answers later anyway (Slack, after its ack). */
export async function pinVerdict(ctx: CommandContext, port: PinPort, target: PinTarget): Promise<Reply> {
  const started = await startPin(ctx, port, target);
  return 'done' in started ? started.done : started.pinning;
}
