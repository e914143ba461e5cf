/**
 * Who wins, from the two evaluations and the user's priority: scores per dimension, weights, the
 * tie margin. No words here; words.ts turns a Decision into the headline and reasons.
 */
import type { WorkflowId } from '../catalog/schema.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { NormalizedQuery } from '../query/query.js';
import type { Winner } from './types.js';

export type Dimension = 'speed' | 'ecosystem' | 'cost' | 'power' | 'noise';
export type Pair = [DeviceEvaluation, DeviceEvaluation];

const LEVEL: Record<string, number> = { full: 4, good: 3, partial: 2, limited: 1, none: 0 };
const clamp = (x: number) => Math.max(-1, Math.min(1, x));

export const WEIGHTS: Record<NormalizedQuery['priority'], Record<Dimension, number>> = {
  speed: { speed: 0.75, ecosystem: 0.15, cost: 0.05, power: 0.05, noise: 0 },
  silence: { speed: 0.2, ecosystem: 0.1, cost: 0, power: 0.1, noise: 0.6 },
  power: { speed: 0.2, ecosystem: 0.1, cost: 0.1, power: 0.6, noise: 0 },
  budget: { speed: 0.25, ecosystem: 0.15, cost: 0.6, power: 0, noise: 0 },
  balanced: { speed: 0.4, ecosystem: 0.2, cost: 0.2, power: 0.1, noise: 0.1 },
};
/** Workflows where the toolchain decides more than the speed does. */
const ECOSYSTEM_HEAVY: WorkflowId[] = ['serving', 'fine-tune', 'training', 'video', 'image'];
/** Score margin under which the two are a tie. */
export const TIE_MARGIN = 0.1;

/** The machine has a price in the catalog (composed machines of chips without one have none). */
export const priceKnown = (e: DeviceEvaluation) => e.priceUSD.high > 0;

/** Midpoint of the N-year total cost. */
export const totalOf = (e: DeviceEvaluation) => (e.cost.totalUSD.low + e.cost.totalUSD.high) / 2;
export const isMediaWorkflow = (w: WorkflowId) => w === 'image' || w === 'video';
/** Fits somewhere (GPU or offload) and the workflow runs on its backend. */
export const runs = (e: DeviceEvaluation) => e.fit !== 'none' && e.workflowSupport.level !== 'none';

/**
 * What a person waits for per request: image seconds for image work, request time otherwise; for
 * serving, the tokens per second all users get together at the level the answer names.
 */
export function speedOf(e: DeviceEvaluation, workflow: WorkflowId): number | null {
  if (workflow === 'serving' && e.serving) return e.serving.served?.aggregateTokensPerSec ?? null;
  if (workflow === 'image') {
    const s = e.images[0]?.secondsPerImage;
    return s ? 1 / ((s.low + s.high) / 2) : null;
  }
  // QLoRA fits wherever any method does, so the first method with a speed compares like with like;
  // a machine where none fits has no training speed (never its prefill, another unit).
  if (workflow === 'fine-tune' && e.fineTuneRun)
    return e.fineTune.find((f) => f.tokensPerSec !== null)?.tokensPerSec ?? null;
  if (workflow === 'video' || workflow === 'training' || workflow === 'fine-tune')
    return e.decodeTokensPerSec ? e.prefillTokensPerSec : null;
  return e.secondsPerRequest ? 1 / e.secondsPerRequest : null;
}

/** Both run it: the comparison in numbers, and who wins it (null within the tie margin). */
export interface Weighed {
  kind: 'weighed';
  winner: DeviceEvaluation | null;
  scores: Record<Dimension, number>;
  total: number;
  faster: DeviceEvaluation;
  slower: DeviceEvaluation;
  /** Faster over slower by speedOf; 1 when either has none. */
  speedRatio: number;
  cheaper: DeviceEvaluation;
  dearer: DeviceEvaluation;
  /** Midpoint totals, dearer minus cheaper. */
  costDiff: number;
  /** The quieter under load (ties go to the first); `loud` the other. */
  quiet: DeviceEvaluation;
  loud: DeviceEvaluation;
}

export type Decision =
  | { kind: 'neither-fits' }
  | { kind: 'only-one'; winner: DeviceEvaluation; loser: DeviceEvaluation }
  | { kind: 'neither-runs' }
  | Weighed;

export function winnerOf(d: Decision): Winner {
  if (d.kind === 'neither-fits' || d.kind === 'neither-runs') return 'neither';
  return d.winner ? d.winner.id : 'tie';
}

/** The dimension scores, each from -1 (or -1.5 for speed) to 1 in favour of `a`. */
export function scoresOf([a, b]: Pair, workflow: WorkflowId): Record<Dimension, number> {
  const sA = speedOf(a, workflow);
  const sB = speedOf(b, workflow);
  return {
    // 2x faster is a full point; up to 1.5 points for ~2.8x and beyond, so a decisive speed gap
    // is not cancelled by a cheaper, quieter machine under the balanced priority.
    speed: sA && sB ? Math.max(-1.5, Math.min(1.5, Math.log(sA / sB) / Math.log(2))) : 0,
    ecosystem: clamp((LEVEL[a.workflowSupport.level]! - LEVEL[b.workflowSupport.level]!) / 2),
    // Without a price for both, cost decides nothing (a missing price is not a free machine).
    cost: priceKnown(a) && priceKnown(b) ? clamp((Math.log(totalOf(b)) - Math.log(totalOf(a))) / Math.log(1.5)) : 0,
    // What the machine draws doing this workflow, not its rated load.
    power: clamp(Math.log(b.power.inUse.watts / a.power.inUse.watts) / Math.log(3)),
    noise: clamp((b.noise.loadDbA.high - a.noise.loadDbA.high) / 20),
  };
}

/**
 * The weighted total in favour of `a`. A machine under the frustrating speed (tok/s) is not a
 * contender on speed, whatever it saves, so being the only slow one costs half a point.
 */
export function totalScore(pair: Pair, q: NormalizedQuery, scores: Record<Dimension, number>, frustrating: number) {
  const [a, b] = pair;
  const weights = { ...WEIGHTS[q.priority] };
  if (ECOSYSTEM_HEAVY.includes(q.workflow)) weights.ecosystem *= 2;
  let total = 0;
  for (const d of Object.keys(scores) as Dimension[]) total += weights[d] * scores[d];
  const media = isMediaWorkflow(q.workflow);
  const slowA = !media && (a.decodeTokensPerSec ?? 0) < frustrating;
  const slowB = !media && (b.decodeTokensPerSec ?? 0) < frustrating;
  if (slowA !== slowB) total += slowA ? -0.5 : 0.5;
  return total;
}

/** `frustrating`: the catalog's speed band under which waiting frustrates (tok/s). */
export function decide(pair: Pair, q: NormalizedQuery, frustrating: number): Decision {
  const [a, b] = pair;
  const runsA = runs(a);
  const runsB = runs(b);
  if (!isMediaWorkflow(q.workflow) && !runsA && !runsB && a.fit === 'none' && b.fit === 'none')
    return { kind: 'neither-fits' };
  if (runsA !== runsB) return { kind: 'only-one', winner: runsA ? a : b, loser: runsA ? b : a };
  if (!runsA && !runsB) return { kind: 'neither-runs' };

  const scores = scoresOf(pair, q.workflow);
  const total = totalScore(pair, q, scores, frustrating);
  const sA = speedOf(a, q.workflow);
  const sB = speedOf(b, q.workflow);
  const faster = (sA ?? 0) >= (sB ?? 0) ? a : b;
  const cheaper = totalOf(a) <= totalOf(b) ? a : b;
  const dearer = cheaper === a ? b : a;
  const quiet = a.noise.loadDbA.high <= b.noise.loadDbA.high ? a : b;
  return {
    kind: 'weighed',
    winner: Math.abs(total) < TIE_MARGIN ? null : total > 0 ? a : b,
    scores,
    total,
    faster,
    slower: faster === a ? b : a,
    speedRatio: sA && sB ? Math.max(sA, sB) / Math.min(sA, sB) : 1,
    cheaper,
    dearer,
    costDiff: totalOf(dearer) - totalOf(cheaper),
    quiet,
    loud: quiet === a ? b : a,
  };
}
