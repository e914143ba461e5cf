/**
 * /ask (Discord), /whichgpu <text> (Slack), free text (console), "Answer with whichgpu" on a message
 * (both platforms): a question in plain words, read once by the core's `ask`, answered with a
 * verdict, the help, an error, or a short question back with its choices.
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import {
  ask,
  compare,
  learnModel,
  lookupTargetOf,
  type AskAnswer,
  type LearnedModel,
  type ClarifyChoice,
  type CompareInput,
  type Result,
  type Verdict,
} from '../src/core/index.js';
import type { ServerSettings } from '../src/store/settings-schema.js';
import type { Store } from '../src/store/store.js';
import help from './help.js';
import { planReply } from './plan.js';
import { queryKeyOf, viewOf } from './pin-shared.js';
import { communityOfVerdict } from './report.js';
import type { Command, CommandContext, Reply } from './types.js';

/** The message command (Discord) and message shortcut (Slack) that answer someone else's question. */
export const ANSWER_WITH = 'Answer with whichgpu';
/** Slack's callback_id of that shortcut (slack-manifest.yml says the same). */
export const ANSWER_WITH_CALLBACK = 'answer_with_whichgpu';

/** A question this long is an essay; the reading of its first 2,000 characters is the answer. */
export const MAX_QUESTION_CHARS = 2000;

export const AskCommandSchema = z.object({
  question: z
    .string()
    .trim()
    .min(1, 'Ask a question, e.g. "5090 or Mac Studio for llama 3.3 70b?"')
    .transform((s) => s.slice(0, MAX_QUESTION_CHARS)),
});
export type AskCommandInput = z.infer<typeof AskCommandSchema>;

interface Answered {
  asked: AskAnswer;
  /** The verdict recomputed with the server's settings, when they change it; else the core's. */
  verdict: Result<Verdict> | null;
}

/**
 * Communities ask the same few questions over and over, and a reading plus a verdict is a pure
 * function of the text, the server's settings and the data version: recent ones are kept (bounded).
 */
const answers = new LRUCache<string, Answered>({ max: 1000 });

/** The settings a verdict reads: server defaults that the question's own words override. */
const defaultsOf = (s: ServerSettings) => ({
  hoursPerDay: s.hours,
  kwhPrice: s.kwh_price,
  years: s.years,
  workflow: s.workflow,
});

/**
 * The core reads the text alone; the server's settings are defaults under what it read. Only when
 * they change the question is the verdict computed again from the merged input (the reading's
 * `input` is, by contract, what the verdict is computed from), so a server on the defaults gets
 * the core's answer as it is.
 */
function answer(ctx: CommandContext, stored: ServerSettings, text: string, learned?: LearnedModel): Answered {
  const settings = defaultsOf(stored);
  const basis = learned ? `${learned.basis.source}:${learned.basis.ref}@${learned.basis.fetchedAt}` : '';
  const key = `${ctx.catalog.dataVersion}|${JSON.stringify(settings)}|${basis}|${text}`;
  const cached = answers.get(key);
  if (cached) return cached;
  const asked = ask(ctx.catalog, text, learned ? { learned } : {});
  let verdict: Result<Verdict> | null = asked.answer ? { ok: true, value: asked.answer } : null;
  if (asked.answer) {
    const merged = { ...settings, ...asked.reading.input } as CompareInput;
    const q = asked.answer.query;
    const differs =
      q.hoursPerDay !== merged.hoursPerDay ||
      q.kwhPrice !== merged.kwhPrice ||
      q.years !== merged.years ||
      q.workflow !== merged.workflow;
    if (differs) verdict = compare(ctx.catalog, merged);
  }
  const done = { asked, verdict };
  answers.set(key, done);
  return done;
}

/**
 * A model the question pastes that the catalog does not hold, learned through the context's lookup;
 * else why not, said with the answer (which then sizes it from its name, as without a lookup).
 */
export async function learnedFor(
  ctx: Pick<CommandContext, 'catalog' | 'lookup'>,
  text: string,
  /**
   * How long to wait for the lookup here. A surface that cannot defer (a select updating its
   * message) waits less than the lookup's own 2.5 s, and answers from the name when it is late.
   */
  waitMs = Infinity,
): Promise<{ learned?: LearnedModel; notes: string[] }> {
  const target = ctx.lookup ? lookupTargetOf(ctx.catalog, text) : null;
  if (!target || !ctx.lookup) return { notes: [] };
  const ref =
    target.source === 'huggingface' ? `hf.co/${target.ref}${target.quant ? `:${target.quant}` : ''}` : target.ref;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: false; error: { code: string; message: string } }>((resolve) => {
    if (Number.isFinite(waitMs))
      timer = setTimeout(
        () => resolve({ ok: false, error: { code: 'TIMEOUT', message: 'no answer in time' } }),
        waitMs,
      );
  });
  const found = await Promise.race([ctx.lookup(ref), late]).finally(() => clearTimeout(timer));
  if (!found.ok) return { notes: [`looked up ${target.ref}: ${found.error.message}; sized from its name instead`] };
  const learned = learnModel(ctx.catalog, found.value);
  if (!learned.ok) return { notes: [`${learned.error.message} Sized from its name instead.`] };
  return { learned: learned.value, notes: learned.value.notes };
}

/** The reply to a question in plain words. */
export async function askReply(ctx: CommandContext, text: string): Promise<Reply> {
  const looked = await learnedFor(ctx, text);
  const { asked, verdict } = answer(ctx, await ctx.store.settings(ctx.platform, ctx.serverId), text, looked.learned);
  // "How do I run llama 3.3 70b on my 3090?" names a model and a machine: answer it; help is for
  // a question about the bot itself.
  if (asked.reading.intent === 'help' && !verdict && !asked.clarify && !asked.error) return help.execute();
  if (asked.clarify) return { kind: 'clarify', question: asked.clarify.question, choices: asked.clarify.choices };
  if (asked.error)
    return {
      kind: 'error',
      error: looked.notes[0]
        ? { ...asked.error, hint: `${looked.notes[0]}. ${asked.error.hint ?? ''}`.trim() }
        : asked.error,
    };
  if (!verdict)
    return {
      kind: 'error',
      error: {
        code: 'INVALID_QUERY',
        message: "I couldn't find a question about a model or a machine there.",
        hint: 'Try "5090 or Mac Studio for llama 3.3 70b?" or "can I run qwen 2.5 coder 32b on a 4090".',
      },
    };
  if (!verdict.ok) return { kind: 'error', error: verdict.error };
  if (asked.plan) return planReply(ctx, asked.plan, [...looked.notes, ...asked.reading.notes]);
  const queryKey = queryKeyOf(verdict.value.query);
  const existing = await ctx.store.findByQuery(ctx.platform, ctx.serverId, queryKey);
  const community = await communityOfVerdict(ctx, verdict.value);
  return {
    kind: 'verdict',
    verdict: verdict.value,
    queryKey,
    ...(existing ? { existingPin: viewOf(ctx, existing) } : {}),
    notes: [...looked.notes, ...asked.reading.notes],
    ...(community.length ? { community } : {}),
  };
}

/**
 * The choices of an ask-back, stored for the buttons that stand for them (a button carries the
 * state id and the choice's index: Discord's 100-character custom id cannot hold a question).
 * Undefined when it could not be stored: the ask-back then goes out without buttons.
 */
export function saveChoices(store: Store, choices: readonly ClarifyChoice[]): Promise<string | undefined> {
  return store.saveQuery({ askChoices: choices.map((c) => c.text) });
}

/** The question a stored choice stands for; undefined when the state is gone or the index is not one of it. */
export async function choiceText(store: Store, stateId: string, index: number): Promise<string | undefined> {
  const texts = (await store.loadQuery(stateId))?.askChoices;
  if (!Array.isArray(texts) || !Number.isInteger(index)) return undefined;
  const text = texts[index] as unknown;
  return typeof text === 'string' ? text : undefined;
}

/** A picked choice: its question answered as a new one, or "too old" when its state is gone. */
export async function answerChoice(
  ctx: CommandContext,
  stateId: string,
  index: number,
  tooOld: string,
): Promise<Reply> {
  const text = await choiceText(ctx.store, stateId, index);
  if (text === undefined) return { kind: 'error', error: { code: 'NOT_FOUND', message: tooOld } };
  return askReply(ctx, text);
}

export default {
  name: 'ask',
  description: 'Ask in plain words: "5090 or Mac Studio for llama 3.3 70b?", "can I run qwen3 32b on a 3090?"',
  options: [
    {
      name: 'question',
      description: 'Your question, as you would ask a person',
      type: 'string',
      required: true,
      maxLength: MAX_QUESTION_CHARS,
    },
  ],
  schema: AskCommandSchema,
  async execute(ctx, input) {
    return askReply(ctx, input.question);
  },
} satisfies Command<AskCommandInput>;
