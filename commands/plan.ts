/**
 * /plan (Discord), /whichgpu plan <text> (Slack), plan <text> (console): what each machine runs best
 * for a workflow at the speed and context asked, and what an upgrade adds (issue 15).
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import {
  DEFAULTS,
  plan,
  planKeyOf,
  PLAN_WORKFLOWS,
  type PlanWorkflow,
  PlanInputSchema,
  readQuestion,
  type Plan,
  type PlanInput,
  type Result,
} from '../src/core/index.js';
import { viewOf } from './pin-shared.js';
import { communityOfPlan } from './report.js';
import type { Command, CommandContext, Reply } from './types.js';

export const PlanCommandSchema = PlanInputSchema.extend({
  /** Free text (Slack and the console): machines, workflow, context, "20 tok/s", "$3000"; explicit options win. */
  text: z.string().max(2000).optional(),
});
export type PlanCommandInput = z.infer<typeof PlanCommandSchema>;

/** The contexts offered as choices; free text and `planInputOfOptions` read any "<n>k". */
export const PLAN_CONTEXTS = ['4k', '8k', '16k', '32k', '64k', '128k'] as const;

/** "32k" -> 32768, "32768" -> 32768; undefined when it is not a token count. */
export function contextTokensOf(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2] ? 1024 : 1));
}

/** Slash-command options (Discord's names) -> the plan command's input; a value of another type is ignored. */
export function planInputOfOptions(o: Record<string, unknown>): Record<string, unknown> {
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  const devices = [str('machine'), str('machine2')].filter((d): d is string => d !== undefined);
  const context = str('context');
  const input: Record<string, unknown> = {
    ...(devices.length ? { devices } : {}),
    current: str('current'),
    workflow: str('workflow'),
    contextTokens: context === undefined ? undefined : (contextTokensOf(context) ?? context),
    minTokensPerSec: num('min_speed'),
    budgetUSD: num('budget'),
  };
  for (const k in input) if (input[k] === undefined) delete input[k];
  return input;
}

/** "20 tok/s", "20 t/s", "20 tps" */
const SPEED = /(\d+(?:\.\d+)?)\s*(?:tok(?:ens)?\s*\/\s*s(?:ec)?|t\/s|tps)\b/i;
/** "$3000", "$3,000", "$3k", "3000 usd", "budget 3000" */
const BUDGET =
  /(?:\$\s*(\d[\d,]*(?:\.\d+)?)(k)?|(\d[\d,]*)(k)?\s*(?:usd|dollars)\b|budget\s*(?:of\s*)?(\d[\d,]*)(k)?)/i;

/**
 * Free text read by the core's reading of a question (machines, the one owned, workflow, context),
 * plus the two targets only a plan has: a speed and a budget.
 */
function readPlanText(
  catalog: Parameters<typeof readQuestion>[0],
  text: string,
): { input: PlanInput; notes: string[] } {
  // The speed and the budget are the plan's own: blanked before the reading, so "$2k" is no context.
  const rest = text.replace(new RegExp(SPEED.source, 'gi'), ' ').replace(new RegExp(BUDGET.source, 'gi'), ' ');
  const { reading } = readQuestion(catalog, rest);
  const input: PlanInput = {};
  const current = reading.devices.find((d) => d.role === 'current');
  // "I have a 3090" (with or without others named): the owned one is the current machine, weighed
  // against the others, or against the default pair when none is named.
  if (current) {
    input.current = current.id;
    const others = reading.devices.filter((d) => d !== current).map((d) => d.id);
    if (others.length) input.devices = others;
  } else if (reading.devices.length) input.devices = reading.devices.map((d) => d.id);
  if (isPlanWorkflow(reading.workflow)) input.workflow = reading.workflow;
  if (reading.contextTokens) input.contextTokens = Math.min(reading.contextTokens, 1_048_576);
  const speed = SPEED.exec(text);
  if (speed) input.minTokensPerSec = Number(speed[1]);
  const budget = BUDGET.exec(text);
  if (budget) {
    const [amount, k] = budget[1]
      ? [budget[1], budget[2]]
      : budget[3]
        ? [budget[3], budget[4]]
        : [budget[5], budget[6]];
    input.budgetUSD = Number(amount!.replace(/,/g, '')) * (k ? 1000 : 1);
  }
  const notes = [...reading.notes];
  if (reading.workflow && !isPlanWorkflow(reading.workflow))
    notes.push(`plans cover ${PLAN_WORKFLOWS.join(', ')}; ${reading.workflow} is planned as chat`);
  if (!reading.devices.length && text.trim()) notes.push('no machine named: planned for the default pair');
  return { input, notes };
}

/** A plan as a reply, with the pin a moderator made of the same plan in this server, if any. */
export async function planReply(ctx: CommandContext, p: Plan, notes: string[]): Promise<Reply> {
  const existing = await ctx.store.findByQuery(ctx.platform, ctx.serverId, planKeyOf(p));
  const community = await communityOfPlan(ctx, p);
  return {
    kind: 'plan',
    plan: p,
    notes,
    ...(existing ? { existingPin: viewOf(ctx, existing) } : {}),
    ...(community.length ? { community } : {}),
  };
}

const isPlanWorkflow = (w: string | null | undefined): w is PlanWorkflow =>
  w !== null && w !== undefined && (PLAN_WORKFLOWS as readonly string[]).includes(w);

/** A plan is a pure function of its input and the data version: recent ones are kept (bounded). */
const plans = new LRUCache<string, Result<Plan>>({ max: 200 });

export default {
  name: 'plan',
  description: 'The best models a machine runs for your workflow at your speed, and what an upgrade adds.',
  options: [
    {
      name: 'machine',
      description: 'Machine to plan for (default: RTX 5090 and Mac Studio)',
      type: 'string',
      autocomplete: true,
    },
    { name: 'machine2', description: 'Another machine, side by side', type: 'string', autocomplete: true },
    {
      name: 'current',
      description: 'The machine you have: what the others add over it',
      type: 'string',
      autocomplete: true,
    },
    { name: 'workflow', description: 'What you will do with it', type: 'string', choices: PLAN_WORKFLOWS },
    { name: 'min_speed', description: 'Decode tokens per second a pick must reach', type: 'number', min: 0, max: 1000 },
    { name: 'context', description: 'Context tokens to allocate', type: 'string', choices: PLAN_CONTEXTS },
    { name: 'budget', description: 'Hardware budget in USD', type: 'number', min: 0, max: 1_000_000 },
  ],
  schema: PlanCommandSchema,
  async execute(ctx, input) {
    const { text, ...flags } = input;
    const read = text ? readPlanText(ctx.catalog, text) : { input: {}, notes: [] };
    const settings = await ctx.store.settings(ctx.platform, ctx.serverId);
    const explicit: Record<string, unknown> = {};
    for (const k in flags)
      if (flags[k as keyof typeof flags] !== undefined) explicit[k] = flags[k as keyof typeof flags];
    const workflow = settings.workflow;
    const merged: PlanInput = {
      // Server settings are defaults (the workflow when a plan has one like it; hours and price for
      // an upgrade's electricity); what the user said wins.
      hoursPerDay: settings.hours,
      kwhPrice: settings.kwh_price,
      ...(isPlanWorkflow(workflow) ? { workflow } : {}),
      ...read.input,
      ...explicit,
    };
    // "I have a 3090" alone asks what an upgrade adds: against the default pair, as the upgrade does.
    if (merged.current && !merged.devices?.length) merged.devices = [DEFAULTS.device, DEFAULTS.against];
    const key = `${ctx.catalog.dataVersion}|${JSON.stringify(merged)}`;
    let r = plans.get(key);
    if (!r) {
      r = plan(ctx.catalog, merged);
      plans.set(key, r);
    }
    if (!r.ok) return { kind: 'error', error: r.error };
    return planReply(ctx, r.value, read.notes);
  },
} satisfies Command<PlanCommandInput>;
