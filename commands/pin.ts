/** Pinning a verdict or a plan: the Pin button on Discord and Slack, `pin` in the console. */
import { z } from 'zod';
import { planKeyOf, planLeader, type Plan, type Verdict } from '../src/core/index.js';
import { planState, queryKeyOf, viewOf, type PinnedFigures } from './pin-shared.js';
import { tryWrite, writeFailed } from './store-writes.js';
import { forbidden, type Command } from './types.js';

export const PinInputSchema = z
  .object({
    channelId: z.string().min(1).max(100),
    messageId: z.string().min(1).max(100),
    verdict: z
      .custom<Verdict>((v) => typeof v === 'object' && v !== null && 'verdict' in v && 'query' in v, 'a verdict to pin')
      .optional(),
    plan: z
      .custom<Plan>((v) => typeof v === 'object' && v !== null && 'devices' in v && 'query' in v, 'a plan to pin')
      .optional(),
    /** The state id the Pin button carried: the store keeps that state while the pin is active (NewPin.stateId). */
    stateId: z.string().min(1).max(100).optional(),
  })
  .refine((x) => (x.verdict === undefined) !== (x.plan === undefined), 'pin takes a verdict or a plan');
export type PinInput = z.infer<typeof PinInputSchema>;

/** What a pin stores of a verdict or a plan: its key, its query, and the figures a refresh compares. */
export function pinnedOf(x: { verdict: Verdict } | { plan: Plan }): {
  queryKey: string;
  query: Record<string, unknown>;
  figures: PinnedFigures;
} {
  if ('plan' in x) {
    const p = x.plan;
    return {
      queryKey: planKeyOf(p),
      query: planState(p),
      figures: { headline: p.headline, winner: planLeader(p), dataVersion: p.dataVersion },
    };
  }
  const v = x.verdict;
  return {
    queryKey: queryKeyOf(v.query),
    query: v.query as unknown as Record<string, unknown>,
    figures: { headline: v.verdict.headline, winner: v.verdict.winner, dataVersion: v.dataVersion },
  };
}

export default {
  name: 'pin',
  description: 'Pin a verdict or a plan so the question is answered once.',
  options: [],
  schema: PinInputSchema,
  async execute(ctx, input) {
    // Checked before any platform call: a refused member costs the platform nothing.
    if (!(await ctx.canModerate())) return forbidden(ctx, input.plan ? 'pin plans' : 'pin verdicts');
    const { queryKey, query, figures } = pinnedOf(input.plan ? { plan: input.plan } : { verdict: input.verdict! });
    const before = await ctx.store.findByQuery(ctx.platform, ctx.serverId, queryKey);
    const saved = await tryWrite(async () =>
      ctx.store.pin({
        platform: ctx.platform,
        serverId: ctx.serverId,
        channelId: input.channelId,
        messageId: input.messageId,
        queryKey,
        query,
        stateId: input.stateId,
        ...figures,
        pinnedBy: ctx.user.id,
      }),
    );
    if (!saved.ok)
      return writeFailed(
        'save the pin',
        `the ${input.plan ? 'plan' : 'verdict'} is not in the pinned verdicts`,
        saved.refused,
      );
    return { kind: 'pinned', pin: viewOf(ctx, saved.value), alreadyPinned: before?.messageId === input.messageId };
  },
} satisfies Command<PinInput>;
