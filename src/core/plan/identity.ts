/**
 * What names a plan outside the planner: the input that computes it again (a posted plan's
 * buttons, a pin's refresh), the key two equal plans share, and the one line a pin list shows.
 */
import type { PlanInput } from './plan.js';
import type { Plan } from './types.js';

/** The planner input that computes `p` again with the data of the day (the machines by id, every target explicit). */
export function planInputOf(p: Plan): PlanInput {
  const q = p.query;
  const current = p.devices.find((d) => d.role === 'current');
  const others = p.devices.filter((d) => d !== current).map((d) => d.id);
  return {
    ...(current ? { current: current.id } : {}),
    ...(others.length ? { devices: others } : {}),
    workflow: q.workflow as NonNullable<PlanInput['workflow']>,
    ...(q.contextTokens !== null ? { contextTokens: q.contextTokens } : {}),
    minTokensPerSec: q.minTokensPerSec,
    ...(q.budgetUSD !== null ? { budgetUSD: q.budgetUSD } : {}),
    allowOffload: q.allowOffload,
    limit: q.limit,
    ...(q.resaleUSD !== null ? { resaleUSD: q.resaleUSD } : {}),
    hoursPerDay: q.hoursPerDay,
    kwhPrice: q.kwhPrice,
  };
}

/**
 * Two plans are "the same question" when they plan the same machines, roles and targets. The hours
 * and price of electricity count only for an upgrade (nothing else shows them), so /plan, which
 * takes them from the server's settings, and a plain-words question, which does not, share a key.
 */
export function planKeyOf(p: Plan): string {
  const { hoursPerDay, kwhPrice, ...rest } = planInputOf(p);
  return `plan|${JSON.stringify(p.upgrade ? { ...rest, hoursPerDay, kwhPrice } : rest)}`;
}

const speed = (x: number | null) => (x === null ? '?' : x >= 10 ? String(Math.round(x)) : x.toFixed(1));

/**
 * The plan in one line: each machine's best pick with its quant and speed; for an upgrade, what
 * each candidate adds over the machine one has. What a pin list shows and a refresh compares.
 */
export function planHeadline(p: Omit<Plan, 'headline'>): string {
  const best = p.devices.map((d) => {
    const top = d.picks[0];
    if (!top) return `${d.shortName}: nothing at these targets`;
    const g = top.generation;
    const how = g
      ? `~${g.seconds >= 7200 ? `${speed(g.seconds / 3600)} h` : g.seconds >= 120 ? `${speed(g.seconds / 60)} min` : `${speed(g.seconds)} s`}/${g.unit}`
      : top.decodeTokensPerSec !== null
        ? `~${speed(top.decodeTokensPerSec)} tok/s`
        : `${speed(top.memoryGB)} GB`;
    return `${d.shortName}: ${top.model.name} ${top.quant} (${how})`;
  });
  const lead = `Best for ${p.query.workflow}`;
  if (!p.upgrade) return `${lead}: ${best.join(' · ')}`;
  const name = new Map(p.devices.map((d) => [d.id, d.shortName]));
  const adds = p.upgrade.candidates.map(
    (c) => `${name.get(c.id) ?? c.id} adds ${c.newlyInReach.length} model${c.newlyInReach.length === 1 ? '' : 's'}`,
  );
  return `${lead}: ${best.join(' · ')}. Over ${name.get(p.upgrade.from) ?? p.upgrade.from}: ${adds.join(', ')}`;
}

/** The model a plan leads with (its first machine's best pick), as a pin's "winner"; "none" when nothing runs. */
export const planLeader = (p: Plan): string => p.devices[0]?.picks[0]?.model.id ?? 'none';
