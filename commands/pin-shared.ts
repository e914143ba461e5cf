/**
 * Shared pieces of the pin commands: the query key, the stale mark, the stored query as input, what
 * changed. A pin holds a verdict or a plan: a plan's stored query is `{ plan: <planner input> }`.
 */
import { planInputOf, type NormalizedQuery, type Plan, type PlanInput } from '../src/core/index.js';
import type { PinnedVerdict } from '../src/store/store.js';
import type { CommandContext, PinView } from './types.js';

/** Keys of recent queries: a cached verdict's query object is asked for its key on every repeat. */
const queryKeys = new WeakMap<NormalizedQuery, string>();

/** Two questions are "the same" when they resolve to the same model, quant, context, workflow, priority and pair. */
export function queryKeyOf(q: NormalizedQuery): string {
  let key = queryKeys.get(q);
  if (key === undefined) {
    key = [q.model ?? 'overview', q.quant, q.contextTokens, q.workflow, q.priority, q.devices.join(',')].join('|');
    queryKeys.set(q, key);
  }
  return key;
}

export function viewOf(ctx: CommandContext, pin: PinnedVerdict): PinView {
  return { ...pin, stale: pin.dataVersion !== ctx.catalog.dataVersion };
}

/** The compare input that reproduces a stored verdict's normalized query. */
export function inputOfQuery(q: Record<string, unknown>): Record<string, unknown> {
  const n = q as Partial<NormalizedQuery>;
  const out: Record<string, unknown> = {
    model: n.model ?? undefined,
    quant: n.quant,
    contextTokens: n.contextTokens,
    workflow: n.workflow,
    priority: n.priority,
    device: n.devices?.[0],
    against: n.devices?.[1],
    hoursPerDay: n.hoursPerDay,
    kwhPrice: n.kwhPrice,
    years: n.years,
    tokensPerDay: n.tokensPerDay ?? undefined,
    apiPricePerMTok: n.apiPricePerMTok ?? undefined,
    promptTokens: n.promptTokens,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== null));
}

/** What a pin stores of what it pins, verdict or plan, and what a refresh compares. */
export interface PinnedFigures {
  headline: string;
  /** A verdict's winning machine; a plan's leading model (its first machine's best pick). */
  winner: string;
  dataVersion: string;
}

/** The stored query of a posted plan: the state its Pin button carries, and what a pin keeps. */
export const planState = (p: Plan): Record<string, unknown> => ({ plan: planInputOf(p) });

/** The planner input of a stored query that is a plan's; undefined for a verdict's. */
export function planInputOfState(q: Record<string, unknown>): PlanInput | undefined {
  const p = q.plan;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as PlanInput) : undefined;
}

/** What a person would want to know changed between two computations of the same question. */
export function describeChanges(before: PinnedVerdict, after: PinnedFigures, isPlan = false): string[] {
  const changes: string[] = [];
  const lead = isPlan ? 'best pick' : 'winner';
  if (before.winner !== after.winner) changes.push(`${lead}: ${before.winner} → ${after.winner}`);
  if (before.headline !== after.headline) changes.push(`headline: "${before.headline}" → "${after.headline}"`);
  if (before.dataVersion !== after.dataVersion) changes.push(`data: ${before.dataVersion} → ${after.dataVersion}`);
  return changes.length ? changes : [`nothing changed: same ${lead} and headline with today's data`];
}
