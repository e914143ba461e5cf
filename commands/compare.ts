/** /compare (Discord), /whichgpu <text> (Slack), free text (console): the verdict. */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import {
  CompareInputSchema,
  compareNamed,
  learnedMatch,
  understand,
  type Result,
  type Verdict,
} from '../src/core/index.js';
import { learnedFor } from './ask.js';

/** How long /compare and a select wait for a model lookup before sizing the model from its name. */
export const FOLLOW_UP_LOOKUP_MS = 1500;
import { queryKeyOf, viewOf } from './pin-shared.js';
import { communityOfVerdict } from './report.js';
import type { Command } from './types.js';

export const CompareCommandSchema = CompareInputSchema.extend({
  /** Free text (Slack and the console); explicit options win over what it says. */
  text: z.string().max(2000).optional(),
});
export type CompareCommandInput = z.infer<typeof CompareCommandSchema>;

/**
 * Communities ask the same few questions over and over; a verdict is a pure function of the
 * input and the data version, so recent ones are kept (bounded) instead of recomputed.
 */
const verdictCache = new LRUCache<string, { verdict: Result<Verdict>; notes: string[] }>({ max: 1000 });

export default {
  name: 'compare',
  description: 'RTX 5090 or Mac Studio M4 Max for your model and workflow: a sourced verdict.',
  options: [
    {
      name: 'model',
      description: 'Model: name, Ollama tag, GGUF file or Hugging Face id',
      type: 'string',
      autocomplete: true,
    },
    { name: 'quant', description: 'Quantization, e.g. Q4_K_M, Q8_0, F16, MXFP4, MLX-4bit', type: 'string' },
    {
      name: 'context',
      description: 'Context tokens to allocate (e.g. 32768)',
      type: 'integer',
      min: 256,
      max: 2_097_152,
    },
    {
      name: 'workflow',
      description: 'What you will do with it',
      type: 'string',
      choices: ['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'training', 'serving'],
    },
    {
      name: 'priority',
      description: 'What matters most',
      type: 'string',
      choices: ['speed', 'silence', 'power', 'budget', 'balanced'],
    },
    { name: 'against', description: 'Device to compare with the RTX 5090', type: 'string', autocomplete: true },
    { name: 'hours', description: 'Hours a day under load (default 8)', type: 'number', min: 0.1, max: 24 },
    { name: 'kwh_price', description: 'Electricity price per kWh (default 0.16)', type: 'number', min: 0, max: 5 },
    { name: 'years', description: 'Years of ownership (default 3)', type: 'integer', min: 1, max: 10 },
    { name: 'tokens_per_day', description: 'Tokens you generate a day', type: 'integer', min: 0, max: 10_000_000_000 },
    {
      name: 'api_price',
      description: 'API price to break even against, USD per million tokens',
      type: 'number',
      min: 0,
      max: 1000,
    },
  ],
  schema: CompareCommandSchema,
  async execute(ctx, input) {
    const { text, ...flags } = input;
    const understood = text ? understand(ctx.catalog, text) : undefined;
    const settings = await ctx.store.settings(ctx.platform, ctx.serverId);
    const explicit: Record<string, unknown> = {};
    for (const k in flags)
      if (flags[k as keyof typeof flags] !== undefined) explicit[k] = flags[k as keyof typeof flags];
    const merged = {
      // Server settings are defaults; what the user typed wins.
      hoursPerDay: settings.hours,
      kwhPrice: settings.kwh_price,
      years: settings.years,
      workflow: settings.workflow,
      ...(understood?.ok ? understood.value.input : {}),
      ...explicit,
    };
    // A model only the Hub or a registry knows (a follow-up of such an answer, or one typed here):
    // learned again, from the store's cache when it is fresh, so a changed quant keeps its shape.
    // /compare, its selects and its refresh answer within Discord's 3 s without a deferral: the
    // lookup (from the cache, or the Hub when the cache is stale) gets 1.5 s of it.
    const looked =
      typeof merged.model === 'string' ? await learnedFor(ctx, merged.model, FOLLOW_UP_LOOKUP_MS) : { notes: [] };
    const basis = looked.learned ? `${looked.learned.basis.ref}@${looked.learned.basis.fetchedAt}` : '';
    const key = `${ctx.catalog.dataVersion}|${basis}|${JSON.stringify(merged)}`;
    let cached = verdictCache.get(key);
    if (!cached) {
      cached = looked.learned
        ? compareNamed(ctx.catalog, merged, { match: learnedMatch(ctx.catalog, looked.learned) })
        : compareNamed(ctx.catalog, merged);
      verdictCache.set(key, cached);
    }
    const r = cached.verdict;
    if (!r.ok) return { kind: 'error', error: r.error };
    const queryKey = queryKeyOf(r.value.query);
    const existing = await ctx.store.findByQuery(ctx.platform, ctx.serverId, queryKey);
    const community = await communityOfVerdict(ctx, r.value);
    return {
      kind: 'verdict',
      verdict: r.value,
      queryKey,
      ...(existing ? { existingPin: viewOf(ctx, existing) } : {}),
      notes: [...looked.notes, ...(understood?.ok ? understood.value.notes : []), ...cached.notes],
      ...(community.length ? { community } : {}),
    };
  },
} satisfies Command<CompareCommandInput>;
