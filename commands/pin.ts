/** Pinning a verdict: the Pin button on Discord and Slack, `pin` in the console. */
import { z } from 'zod';
import type { Verdict } from '../src/core/index.js';
import { queryKeyOf, viewOf } from './pin-shared.js';
import { tryWrite, writeFailed } from './store-writes.js';
import { forbidden, type Command } from './types.js';

export const PinInputSchema = z.object({
  channelId: z.string().min(1).max(100),
  messageId: z.string().min(1).max(100),
  verdict: z.custom<Verdict>(
    (v) => typeof v === 'object' && v !== null && 'verdict' in v && 'query' in v,
    'a verdict to pin',
  ),
  /** The state id the Pin button carried: the store keeps that state while the pin is active (NewPin.stateId). */
  stateId: z.string().min(1).max(100).optional(),
});
export type PinInput = z.infer<typeof PinInputSchema>;

export default {
  name: 'pin',
  description: 'Pin a verdict so the question is answered once.',
  options: [],
  schema: PinInputSchema,
  async execute(ctx, input) {
    // Checked before any platform call: a refused member costs the platform nothing.
    if (!(await ctx.canModerate())) return forbidden(ctx, 'pin verdicts');
    const v = input.verdict;
    const queryKey = queryKeyOf(v.query);
    const before = ctx.store.findByQuery(ctx.platform, ctx.serverId, queryKey);
    const saved = tryWrite(() =>
      ctx.store.pin({
        platform: ctx.platform,
        serverId: ctx.serverId,
        channelId: input.channelId,
        messageId: input.messageId,
        queryKey,
        query: v.query as unknown as Record<string, unknown>,
        stateId: input.stateId,
        headline: v.verdict.headline,
        winner: v.verdict.winner,
        dataVersion: v.dataVersion,
        pinnedBy: ctx.user.id,
      }),
    );
    if (!saved.ok) return writeFailed('save the pin', 'the verdict is not in the pinned verdicts', saved.refused);
    return { kind: 'pinned', pin: viewOf(ctx, saved.value), alreadyPinned: before?.messageId === input.messageId };
  },
} satisfies Command<PinInput>;
