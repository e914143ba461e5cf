/**
 * The server's pins: the list (Discord's /verdicts, `/whichgpu pins` or `verdicts` in text), refresh
 * and unpin for moderators. In code the concept is "pins"; "verdicts" is the user-facing word kept.
 */
import { z } from 'zod';
import { compare, learnedMatch, plan, type Plan, type PlanInput, type Verdict } from '../src/core/index.js';
import { learnedFor } from './ask.js';
import { FOLLOW_UP_LOOKUP_MS } from './compare.js';
import { pinnedOf } from './pin.js';
import { describeChanges, inputOfQuery, planInputOfState, viewOf, type PinnedFigures } from './pin-shared.js';
import { tryWrite, writeFailed } from './store-writes.js';
import type { PinnedVerdict } from '../src/store/store.js';
import { forbidden, type Command, type CommandContext, type Reply } from './types.js';

export const PinsInputSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('list'),
    page: z.coerce.number().int().min(1, 'page starts at 1').max(10_000).default(1),
  }),
  z.object({
    action: z.literal('refresh'),
    id: z.coerce.number({ error: 'refresh takes a verdict id, e.g. verdicts refresh 12' }).int().positive(),
  }),
  z.object({
    action: z.literal('unpin'),
    id: z.coerce.number({ error: 'unpin takes a verdict id, e.g. verdicts unpin 12' }).int().positive(),
  }),
]);
export type PinsInput = z.infer<typeof PinsInputSchema>;

const notFound = (id: number): Reply => ({
  kind: 'error',
  error: {
    code: 'NOT_FOUND',
    message: `No pinned verdict #${id} in this server.`,
    hint: 'Type verdicts to see the ids.',
  },
});

/** The pins list shows Refresh and Unpin when the member may use them on at least one pin of the page. */
async function canModerateAny(ctx: CommandContext, pins: readonly PinnedVerdict[]): Promise<boolean> {
  for (const channelId of new Set(pins.map((p) => p.channelId))) if (await ctx.canModerate(channelId)) return true;
  return false;
}

export default {
  name: 'verdicts',
  description: "The server's pinned verdicts, newest first.",
  options: [{ name: 'page', description: 'Page (10 verdicts a page)', type: 'integer', min: 1, max: 10_000 }],
  schema: PinsInputSchema,
  async execute(ctx, input) {
    if (input.action === 'list') {
      const page = await ctx.store.list(ctx.platform, ctx.serverId, input.page);
      return {
        kind: 'pins',
        page: { ...page, items: page.items.map((p) => viewOf(ctx, p)) },
        canModerate: await canModerateAny(ctx, page.items),
      };
    }
    if (!(await ctx.canModerate()))
      return forbidden(ctx, input.action === 'refresh' ? 'refresh pinned verdicts' : 'unpin verdicts');
    const pin = await ctx.store.get(ctx.platform, ctx.serverId, input.id);
    if (!pin || pin.unpinnedAt !== null) return notFound(input.id);
    if (!(await ctx.canModerate(pin.channelId)))
      return forbidden(ctx, `${input.action} verdicts pinned in another channel`, { elsewhere: true });
    if (input.action === 'unpin') {
      const done = await tryWrite(async () => ctx.store.unpin(ctx.platform, ctx.serverId, input.id, ctx.user.id));
      if (!done.ok) return writeFailed(`unpin #${input.id}`, 'it is still pinned', done.refused);
      return done.value ? { kind: 'unpinned', pin: viewOf(ctx, done.value) } : notFound(input.id);
    }
    const planned = planInputOfState(pin.query);
    if (planned) return refreshPlan(ctx, pin, planned);
    const stored = inputOfQuery(pin.query);
    // A pinned model only the Hub or a registry knows is learned again (from the cache when fresh).
    const looked =
      typeof stored.model === 'string' ? await learnedFor(ctx, stored.model, FOLLOW_UP_LOOKUP_MS) : { notes: [] };
    const r = looked.learned
      ? compare(ctx.catalog, stored, { match: learnedMatch(ctx.catalog, looked.learned) })
      : compare(ctx.catalog, stored);
    if (!r.ok)
      return {
        kind: 'error',
        error: { ...r.error, message: `Cannot recompute #${pin.id} with today's data: ${r.error.message}` },
      };
    return saveRefresh(ctx, pin, pinnedOf({ verdict: r.value }).figures, { verdict: r.value });
  },
} satisfies Command<PinsInput>;

/** A pinned plan computed again with today's data (its machines, roles and targets as pinned). */
async function refreshPlan(ctx: CommandContext, pin: PinnedVerdict, input: PlanInput): Promise<Reply> {
  const r = plan(ctx.catalog, input);
  if (!r.ok)
    return {
      kind: 'error',
      error: { ...r.error, message: `Cannot recompute #${pin.id} with today's data: ${r.error.message}` },
    };
  return saveRefresh(ctx, pin, pinnedOf({ plan: r.value }).figures, { plan: r.value });
}

/** Stores a refreshed pin's new figures and says what changed. */
async function saveRefresh(
  ctx: CommandContext,
  pin: PinnedVerdict,
  figures: PinnedFigures,
  fresh: { verdict: Verdict } | { plan: Plan },
): Promise<Reply> {
  const changes = describeChanges(pin, figures, 'plan' in fresh);
  const updated = await tryWrite(async () => ctx.store.refresh(ctx.platform, ctx.serverId, pin.id, figures));
  if (!updated.ok)
    return writeFailed(
      `refresh #${pin.id}`,
      `it keeps its earlier ${'plan' in fresh ? 'plan' : 'verdict'}`,
      updated.refused,
    );
  return updated.value ? { kind: 'refreshed', pin: viewOf(ctx, updated.value), changes, ...fresh } : notFound(pin.id);
}
