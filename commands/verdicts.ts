/** /verdicts: the server's pinned verdicts; refresh and unpin for moderators. */
import { z } from 'zod';
import { compare } from '../src/core/verdict.js';
import { describeChanges, inputOfQuery, viewOf } from './pins.js';
import { forbidden, type Command, type Reply } from './types.js';

export const VerdictsInputSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list'), page: z.coerce.number().int().min(1, 'page starts at 1').max(10_000).default(1) }),
  z.object({ action: z.literal('refresh'), id: z.coerce.number({ error: 'refresh takes a verdict id, e.g. verdicts refresh 12' }).int().positive() }),
  z.object({ action: z.literal('unpin'), id: z.coerce.number({ error: 'unpin takes a verdict id, e.g. verdicts unpin 12' }).int().positive() }),
]);
export type VerdictsInput = z.infer<typeof VerdictsInputSchema>;

const notFound = (id: number): Reply => ({
  kind: 'error',
  error: { code: 'NOT_FOUND', message: `No pinned verdict #${id} in this server.`, hint: 'Type verdicts to see the ids.' },
});

export default {
  name: 'verdicts',
  description: "The server's pinned verdicts, newest first.",
  options: [{ name: 'page', description: 'Page (10 verdicts a page)', type: 'integer', min: 1, max: 10_000 }],
  schema: VerdictsInputSchema,
  async execute(ctx, input) {
    if (input.action === 'list') {
      const page = ctx.store.list(ctx.platform, ctx.serverId, input.page);
      return { kind: 'pins', page: { ...page, items: page.items.map((p) => viewOf(ctx, p)) }, canModerate: await ctx.canModerate() };
    }
    if (!(await ctx.canModerate())) return forbidden(input.action === 'refresh' ? 'refresh pinned verdicts' : 'unpin verdicts');
    const pin = ctx.store.get(ctx.platform, ctx.serverId, input.id);
    if (!pin || pin.unpinnedAt !== null) return notFound(input.id);
    if (input.action === 'unpin') {
      const done = ctx.store.unpin(ctx.platform, ctx.serverId, input.id, ctx.user.id);
      return done ? { kind: 'unpinned', pin: viewOf(ctx, done) } : notFound(input.id);
    }
    const r = compare(ctx.catalog, inputOfQuery(pin.query));
    if (!r.ok) return { kind: 'error', error: { ...r.error, message: `Cannot recompute #${pin.id} with today's data: ${r.error.message}` } };
    const changes = describeChanges(pin, r.value);
    const updated = ctx.store.refresh(ctx.platform, ctx.serverId, pin.id, {
      headline: r.value.verdict.headline,
      winner: r.value.verdict.winner,
      dataVersion: r.value.dataVersion,
    });
    return updated ? { kind: 'refreshed', pin: viewOf(ctx, updated), changes, verdict: r.value } : notFound(input.id);
  },
} satisfies Command<VerdictsInput>;
