/**
 * The verdict: a validated query and the catalog in, a plain object out. Every number in it is
 * an estimate from the physics model (with its band) or a reported figure with its source; where
 * a reported figure disagrees with physics a `seed-conflict` flag says so.
 */
import type { ReportedFigure, WorkflowId } from '../catalog/schema.js';
import type { Catalog, CatalogDevice, CatalogModel, CatalogQuant } from '../catalog/catalog.js';
import type { CostEstimate } from '../physics/cost.js';
import { evaluateDevice, type DeviceEvaluation } from '../physics/evaluate.js';
import { estimateMemory } from '../physics/memory.js';
import { CompareInputSchema, DEFAULTS, type CompareInput, type NormalizedQuery } from '../query/query.js';
import { resolveDevice, resolveModel, resolveQuant, safeEcho, type ModelMatch } from '../query/resolve.js';
import { err, ok, type Result } from '../result.js';
import type { Band } from '../catalog/specs.js';

export type Winner = string | 'tie' | 'neither';

/** The LLM shown beside an image or video verdict when the user named none. */
const IMAGE_DEFAULT_LLM = 'llama-3.1-8b';

export type Flag =
  | { kind: 'seed-conflict'; device: string; subject: string; claim: string; source: string; estimate: string }
  | { kind: 'capacity'; device: string; message: string; capacityTokensPerDay: number; requestedTokensPerDay: number }
  | { kind: 'apple-wired-limit'; device: string; message: string; command: string };

export interface AlsoConsider {
  id?: string;
  name: string;
  why: string;
}

export interface OverviewRow {
  subject: string;
  model: string;
  modelName: string;
  quant: string;
  winner: Winner;
  devices: {
    id: string;
    fit: DeviceEvaluation['fit'];
    requiredGB: number;
    decodeTokensPerSec: number | null;
    decodeBand: Band | null;
    reported: string | null;
  }[];
}

export interface Verdict {
  dataVersion: string;
  query: NormalizedQuery;
  model: {
    id: string;
    name: string;
    paramsB: number;
    activeParamsB: number;
    maxContext: number;
    phantom?: { name: string; why: string; nearest: string[] };
    /** Other catalog models the reference matched equally well. */
    alternatives?: string[];
    /** Not in the catalog: the architecture was estimated from the size. */
    estimated?: boolean;
  } | null;
  devices: DeviceEvaluation[];
  verdict: { winner: Winner; headline: string; reasons: string[]; caveats: string[]; alsoConsider: AlsoConsider[] };
  cost: { years: number; hoursPerDay: number; kwhPrice: number; perDevice: (CostEstimate & { id: string })[] };
  flags: Flag[];
  overview?: OverviewRow[];
  sources: { id: string; title: string; url?: string; date: string }[];
}

/** Turns a user's compare input into a verdict; bad input comes back as an error value. */
export function compare(catalog: Catalog, rawInput: unknown): Result<Verdict> {
  const parsed = CompareInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const tooBigOrSmall = issue.code === 'too_big' || issue.code === 'too_small';
    return err(tooBigOrSmall ? 'OUT_OF_RANGE' : 'INVALID_QUERY', issue.message, {
      hint: `Check ${issue.path.join('.') || 'the query'}.`,
    });
  }
  const input = parsed.data;
  const a = resolveDevice(catalog, input.device ?? DEFAULTS.device);
  if (!a.ok) return a;
  const b = resolveDevice(catalog, input.against ?? DEFAULTS.against);
  if (!b.ok) return b;
  if (a.value.id === b.value.id)
    return err('INVALID_QUERY', `That compares ${a.value.name} with itself.`, {
      hint: 'Pick a different device for against.',
    });
  const workflow = input.workflow ?? 'chat';
  const wf = catalog.workflow(workflow)!;

  // Image and video verdicts do not hinge on an LLM; the LLM rows then describe a small default.
  const imageOnly = !input.model && (workflow === 'image' || workflow === 'video');
  if (!input.model && !imageOnly) return ok(overview(catalog, input, [a.value, b.value], workflow));

  const match = resolveModel(catalog, input.model ?? IMAGE_DEFAULT_LLM);
  if (!match.ok) return match;
  const model = match.value.model;
  let quant: CatalogQuant | undefined = match.value.quant;
  if (input.quant) {
    const q = resolveQuant(catalog, input.quant);
    if (!q.ok) return q;
    quant = q.value;
  }
  quant ??= catalog.quant(model.record.nativeQuant ?? DEFAULTS.quant) ?? catalog.quant(DEFAULTS.quant)!;

  if (input.contextTokens !== undefined && input.contextTokens > model.maxContext)
    return err(
      'OUT_OF_RANGE',
      `${model.name} supports at most ${model.maxContext.toLocaleString('en-US')} tokens of context.`,
      {
        hint: `Use context up to ${Math.round(model.maxContext / 1024)}k.`,
      },
    );
  const contextTokens = input.contextTokens ?? Math.min(wf.defaultContextTokens, model.maxContext);
  const promptTokens = Math.min(input.promptTokens ?? wf.typicalPromptTokens, contextTokens);
  const query: NormalizedQuery = {
    model: model.id,
    modelInput: input.model ?? null,
    quant: quant.id,
    contextTokens,
    depthTokens: promptTokens,
    promptTokens,
    workflow,
    priority: input.priority ?? DEFAULTS.priority,
    devices: [a.value.id, b.value.id],
    hoursPerDay: input.hoursPerDay ?? DEFAULTS.hoursPerDay,
    kwhPrice: input.kwhPrice ?? DEFAULTS.kwhPrice,
    years: input.years ?? DEFAULTS.years,
    tokensPerDay: input.tokensPerDay ?? null,
    apiPricePerMTok: input.apiPricePerMTok ?? null,
    imageSteps: input.imageSteps ?? null,
    imageResolution: input.imageResolution ?? null,
  };
  return ok(buildVerdict(catalog, query, match.value, quant, [a.value, b.value]));
}

function buildVerdict(
  catalog: Catalog,
  query: NormalizedQuery,
  match: ModelMatch,
  quant: CatalogQuant,
  devices: [CatalogDevice, CatalogDevice],
): Verdict {
  const model = match.model;
  const evals = devices.map((d) => evaluateDevice(catalog, d, model, quant, query)) as [
    DeviceEvaluation,
    DeviceEvaluation,
  ];
  const flags = [
    ...conflictFlags(catalog, evals, model, quant, match),
    ...capacityFlags(evals, query),
    ...wiredFlags(evals),
  ];
  const decision = decide(catalog, evals, query, model, quant);
  const caveats = caveatsFor(catalog, evals, model, match, query);
  const alsoConsider = alsoConsiderFor(catalog, evals, model, quant, query);
  return {
    dataVersion: catalog.dataVersion,
    query,
    model: {
      id: model.id,
      name: model.name,
      paramsB: model.paramsB,
      activeParamsB: model.activeParamsB,
      maxContext: model.maxContext,
      ...(match.phantom
        ? { phantom: { name: match.phantom.name, why: match.phantom.why, nearest: match.phantom.nearest } }
        : {}),
      ...(match.alternatives?.length ? { alternatives: match.alternatives.map((m) => m.id) } : {}),
      ...(match.estimated ? { estimated: true } : {}),
    },
    devices: evals,
    verdict: { ...decision, caveats, alsoConsider },
    cost: {
      years: query.years,
      hoursPerDay: query.hoursPerDay,
      kwhPrice: query.kwhPrice,
      perDevice: evals.map((e) => ({ id: e.id, ...e.cost })),
    },
    flags,
    sources: sourcesFor(catalog, evals),
  };
}

// ---------------------------------------------------------------------------------------------
// Deciding

const LEVEL: Record<string, number> = { full: 4, good: 3, partial: 2, limited: 1, none: 0 };
const clamp = (x: number) => Math.max(-1, Math.min(1, x));
/** Midpoint of the N-year total cost. */
const totalOf = (e: DeviceEvaluation) => (e.cost.totalUSD.low + e.cost.totalUSD.high) / 2;

type Dimension = 'speed' | 'ecosystem' | 'cost' | 'power' | 'noise';
const WEIGHTS: Record<NormalizedQuery['priority'], Record<Dimension, number>> = {
  speed: { speed: 0.75, ecosystem: 0.15, cost: 0.05, power: 0.05, noise: 0 },
  silence: { speed: 0.2, ecosystem: 0.1, cost: 0, power: 0.1, noise: 0.6 },
  power: { speed: 0.2, ecosystem: 0.1, cost: 0.1, power: 0.6, noise: 0 },
  budget: { speed: 0.25, ecosystem: 0.15, cost: 0.6, power: 0, noise: 0 },
  balanced: { speed: 0.4, ecosystem: 0.2, cost: 0.2, power: 0.1, noise: 0.1 },
};
/** Workflows where the toolchain decides more than the speed does. */
const ECOSYSTEM_HEAVY: WorkflowId[] = ['serving', 'fine-tune', 'training', 'video', 'image'];
/** Score margin under which the two are a tie. */
const TIE_MARGIN = 0.1;

export const fmt = {
  gb: (x: number) => (x >= 100 ? Math.round(x).toString() : x >= 10 ? x.toFixed(1) : x.toFixed(1)),
  tps: (x: number) =>
    (x >= 1000
      ? Math.round(x / 100) * 100
      : x >= 100
        ? Math.round(x / 5) * 5
        : x >= 20
          ? Math.round(x)
          : Math.round(x * 10) / 10
    ).toLocaleString('en-US'),
  usd: (x: number) => `$${Math.round(x).toLocaleString('en-US')}`,
  ratio: (x: number) => (x >= 10 ? Math.round(x).toString() : x.toFixed(1)),
};

/** What a person waits for per request: image seconds for image work, request time otherwise. */
function speedOf(e: DeviceEvaluation, workflow: WorkflowId): number | null {
  if (workflow === 'image') {
    const s = e.images[0]?.secondsPerImage;
    return s ? 1 / ((s.low + s.high) / 2) : null;
  }
  if (workflow === 'video' || workflow === 'training' || workflow === 'fine-tune')
    return e.decodeTokensPerSec ? e.prefillTokensPerSec : null;
  return e.secondsPerRequest ? 1 / e.secondsPerRequest : null;
}

function decide(
  catalog: Catalog,
  [a, b]: [DeviceEvaluation, DeviceEvaluation],
  q: NormalizedQuery,
  model: CatalogModel,
  quant: CatalogQuant,
): { winner: Winner; headline: string; reasons: string[] } {
  const label = `${model.name} ${quant.id}`;
  const reasons: string[] = [];
  const needs = (e: DeviceEvaluation) => `${fmt.gb(e.memory.requiredGB)} GB`;
  const usable = (e: DeviceEvaluation) =>
    `${fmt.gb(e.fit === 'gpu' && !e.memory.needsRaisedLimit ? e.memory.availableGB : (e.memory.raisedAvailableGB ?? e.memory.availableGB))} GB`;
  const runsA = a.fit !== 'none' && a.workflowSupport.level !== 'none';
  const runsB = b.fit !== 'none' && b.workflowSupport.level !== 'none';
  const imageOrVideo = q.workflow === 'image' || q.workflow === 'video';

  for (const e of [a, b]) {
    if (imageOrVideo) continue;
    if (e.fit === 'none')
      reasons.push(
        `${e.shortName}: ${label} needs ${needs(e)} with ${q.contextTokens.toLocaleString('en-US')} tokens of context; only ${usable(e)} is usable.`,
      );
    else if (e.fit === 'offload')
      reasons.push(
        `${e.shortName}: ${fmt.gb(e.memory.spillGB)} GB of ${needs(e)} spills to system RAM, so only ~${fmt.tps(e.decodeTokensPerSec!)} tok/s.`,
      );
    else
      reasons.push(
        `${e.shortName}: fits (${needs(e)} of ${usable(e)}${e.memory.needsRaisedLimit ? ' after raising the GPU memory limit' : ''}), ~${fmt.tps(e.decodeTokensPerSec!)} tok/s.`,
      );
  }
  if (!imageOrVideo && !runsA && !runsB && a.fit === 'none' && b.fit === 'none') {
    return {
      winner: 'neither',
      headline: `Neither: ${label} needs ~${needs(a)}, more than either machine can hold.`,
      reasons,
    };
  }
  for (const e of [a, b]) {
    if (e.workflowSupport.level === 'none')
      reasons.push(`${e.shortName}: ${q.workflow} is not supported (${e.workflowSupport.note}).`);
  }
  if (runsA !== runsB) {
    const w = runsA ? a : b;
    const l = runsA ? b : a;
    const why =
      l.workflowSupport.level === 'none'
        ? `${q.workflow} does not run on ${l.shortName}`
        : `it does not fit on ${l.shortName}`;
    return {
      winner: w.id,
      headline: `${w.shortName}: the only one of the two for ${imageOrVideo ? q.workflow : label}; ${why}.`,
      reasons: reasons.slice(0, 5),
    };
  }
  if (!runsA && !runsB)
    return { winner: 'neither', headline: `Neither runs ${q.workflow} with ${label}.`, reasons: reasons.slice(0, 5) };

  // Both run it: weigh the dimensions by the user's priority.
  const sA = speedOf(a, q.workflow);
  const sB = speedOf(b, q.workflow);
  const scores: Record<Dimension, number> = {
    // 2x faster is a full point; up to 1.5 points for ~2.8x and beyond, so a decisive speed gap
    // is not cancelled by a cheaper, quieter machine under the balanced priority.
    speed: sA && sB ? Math.max(-1.5, Math.min(1.5, Math.log(sA / sB) / Math.log(2))) : 0,
    ecosystem: clamp((LEVEL[a.workflowSupport.level]! - LEVEL[b.workflowSupport.level]!) / 2),
    cost: clamp((Math.log(totalOf(b)) - Math.log(totalOf(a))) / Math.log(1.5)),
    power: clamp(Math.log(b.power.loadW / a.power.loadW) / Math.log(3)),
    noise: clamp((b.noise.loadDbA.high - a.noise.loadDbA.high) / 20),
  };
  // A machine under the frustrating threshold is not a contender on speed, whatever it saves.
  const frustrating = catalog.files.workflows.speedBands.frustrating.value;
  const weights = { ...WEIGHTS[q.priority] };
  if (ECOSYSTEM_HEAVY.includes(q.workflow)) weights.ecosystem *= 2;
  let total = 0;
  for (const d of Object.keys(scores) as Dimension[]) total += weights[d] * scores[d];
  const slowA = !imageOrVideo && (a.decodeTokensPerSec ?? 0) < frustrating;
  const slowB = !imageOrVideo && (b.decodeTokensPerSec ?? 0) < frustrating;
  if (slowA !== slowB) total += slowA ? -0.5 : 0.5;

  // Reasons tied to numbers, most relevant first.
  const faster = (sA ?? 0) >= (sB ?? 0) ? a : b;
  const slower = faster === a ? b : a;
  const speedRatio = sA && sB ? Math.max(sA, sB) / Math.min(sA, sB) : 1;
  const speedReason = (() => {
    if (q.workflow === 'image') {
      const f = faster.images[0]?.secondsPerImage;
      const s = slower.images[0]?.secondsPerImage;
      // A device without a public figure has no image speed to compare; say so instead.
      if (!f || !s)
        return `No public ${faster.images[0]?.name ?? 'image'} speed for ${(f ? slower : faster).shortName}; image support there is ${(f ? slower : faster).images[0]?.support ?? 'unknown'}.`;
      return `${faster.shortName} makes a ${faster.images[0]!.name} image in ~${fmtBand(f, 's')} vs ~${fmtBand(s, 's')} (${faster.images[0]!.basisNote}).`;
    }
    if (!faster.decodeTokensPerSec || !slower.decodeTokensPerSec) return null;
    const d = faster.decodeTokensPerSec / slower.decodeTokensPerSec;
    const ttftPart =
      q.promptTokens >= 2000 && faster.timeToFirstTokenSec !== null && slower.timeToFirstTokenSec !== null
        ? `; first token after ${Math.round(q.promptTokens / 1000)}k tokens of prompt: ${fmtSec(faster.timeToFirstTokenSec)} vs ${fmtSec(slower.timeToFirstTokenSec)}`
        : '';
    return `${faster.shortName} generates ${fmt.ratio(d)}x faster (~${fmt.tps(faster.decodeTokensPerSec)} vs ~${fmt.tps(slower.decodeTokensPerSec)} tok/s)${ttftPart}.`;
  })();
  const ordered: string[] = [];
  if (speedReason) ordered.push(speedReason);
  if (scores.ecosystem !== 0) {
    const better = scores.ecosystem > 0 ? a : b;
    const worse = better === a ? b : a;
    ordered.push(
      `${q.workflow}: ${better.workflowSupport.level} support on ${better.backend.toUpperCase()} vs ${worse.workflowSupport.level} on ${worse.backend.toUpperCase()} (${worse.workflowSupport.note}).`,
    );
  }
  const cheaper = totalOf(a) <= totalOf(b) ? a : b;
  const dearer = cheaper === a ? b : a;
  const costDiff = totalOf(dearer) - totalOf(cheaper);
  const overlap = cheaper.cost.totalUSD.high >= dearer.cost.totalUSD.low;
  const costReason = overlap
    ? `Over ${q.years} years both cost about the same (${fmtUsdBand(a.cost.totalUSD)} vs ${fmtUsdBand(b.cost.totalUSD)}, electricity at ${q.hoursPerDay} h/day and $${q.kwhPrice.toFixed(2)}/kWh).`
    : `${cheaper.shortName} costs ~${fmt.usd(costDiff)} less over ${q.years} years (${fmtUsdBand(cheaper.cost.totalUSD)} vs ${fmtUsdBand(dearer.cost.totalUSD)}, electricity at ${q.hoursPerDay} h/day and $${q.kwhPrice.toFixed(2)}/kWh).`;
  const quiet = a.noise.loadDbA.high <= b.noise.loadDbA.high ? a : b;
  const loud = quiet === a ? b : a;
  const powerReason = `${quiet.shortName} draws ~${quiet.power.loadW} W under load vs ~${loud.power.loadW} W, at ${fmtDb(quiet.noise.loadDbA)} vs ${fmtDb(loud.noise.loadDbA)}.`;
  if (q.priority === 'budget') ordered.unshift(costReason);
  else ordered.push(costReason);
  if (q.priority === 'silence' || q.priority === 'power') ordered.unshift(powerReason);
  else ordered.push(powerReason);
  const fitReasons = reasons.filter((r) => /fits|spills|needs/.test(r));
  const allReasons = [...ordered.slice(0, 3), ...fitReasons].slice(0, 5);

  if (Math.abs(total) < TIE_MARGIN) {
    return {
      winner: 'tie',
      headline: `Tie for ${label}: ${faster.shortName} is ${fmt.ratio(speedRatio)}x faster, ${quiet === faster ? `${cheaper.shortName} is cheaper` : `${quiet.shortName} is quieter and frugal`}; your priority decides.`,
      reasons: allReasons,
    };
  }
  const w = total > 0 ? a : b;
  const l = w === a ? b : a;
  let headline: string;
  if (q.priority === 'silence' && w === quiet)
    headline = `${w.shortName}: near-silent (${fmtDb(w.noise.loadDbA)}) and ${w.speedClass === 'realtime' ? 'still real-time' : `still ${w.speedClass}`} at ~${fmt.tps(w.decodeTokensPerSec ?? 0)} tok/s.`;
  else if (q.priority === 'budget' && w === cheaper)
    headline = `${w.shortName}: ~${fmt.usd(costDiff)} cheaper over ${q.years} years for ${label}.`;
  else if (q.priority === 'power' && w === quiet)
    headline = `${w.shortName}: ~${quiet.power.loadW} W vs ~${loud.power.loadW} W for ${label}.`;
  else if (w === faster && speedRatio >= 1.15)
    headline =
      q.workflow === 'image'
        ? `${w.shortName}: ${fmt.ratio(speedRatio)}x faster image generation, with the full CUDA node ecosystem.`
        : q.promptTokens >= 2000
          ? `${w.shortName}: ${fmt.ratio(speedRatio)}x faster per ${q.workflow} request on ${label} (${Math.round(q.promptTokens / 1000)}k-token prompt + ${DEFAULTS.answerTokens}-token answer: ${fmtSec(w.secondsPerRequest!)} vs ${fmtSec(l.secondsPerRequest!)}).`
          : `${w.shortName}: ${fmt.ratio(w.decodeTokensPerSec! / l.decodeTokensPerSec!)}x faster on ${label} (~${fmt.tps(w.decodeTokensPerSec!)} vs ~${fmt.tps(l.decodeTokensPerSec!)} tok/s).`;
  else if (scores.ecosystem !== 0 && scores.ecosystem > 0 === (w === a))
    headline = `${w.shortName}: ${q.workflow} has ${w.workflowSupport.level} support there, ${l.workflowSupport.level} on ${l.shortName}.`;
  else {
    const strengths = [
      w === faster && speedRatio >= 1.05 ? 'faster' : '',
      w === quiet ? 'quieter, frugal' : '',
      w === cheaper ? `${fmt.usd(costDiff)} cheaper over ${q.years} years` : '',
    ].filter(Boolean);
    headline = `${w.shortName}: the better balance for ${label}${strengths.length ? ` (${strengths.join(', ')})` : ''}.`;
  }
  return { winner: w.id, headline, reasons: allReasons };
}

export function fmtBand(b: Band, unit: string): string {
  const r = (x: number) => (x >= 10 ? fmt.tps(x) : x.toFixed(1));
  return r(b.low) === r(b.high) ? `${r(b.low)} ${unit}` : `${r(b.low)}-${r(b.high)} ${unit}`;
}
function fmtSec(s: number) {
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}
function fmtDb(b: Band) {
  return b.low === b.high ? `${b.high} dBA` : `${b.low}-${b.high} dBA`;
}
function fmtUsdBand(b: Band) {
  return b.low === b.high ? fmt.usd(b.low) : `${fmt.usd(b.low)}-${fmt.usd(b.high)}`;
}

// ---------------------------------------------------------------------------------------------
// Flags, caveats, alternatives

function reportedValue(r: ReportedFigure): string {
  if (r.low === null || r.high === null) return 'cannot run';
  return r.low === r.high ? `${r.low} ${r.unit}` : `${r.low}-${r.high} ${r.unit}`;
}

function sourceTitle(catalog: Catalog, key: string) {
  const s = catalog.source('benchmarks', key);
  return s && s !== 'estimate' ? s.title : key;
}

function conflictFlags(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  quant: CatalogQuant,
  match: ModelMatch,
): Flag[] {
  const flags: Flag[] = [];
  const subjects = new Set([model.id]);
  if (match.phantom) subjects.add(match.phantom.name.toLowerCase().replace(/\s+/g, '-'));
  for (const e of evals) {
    for (const r of e.reported) {
      if (r.metric !== 'decode-tps' || !subjects.has(r.subject)) continue;
      if (r.quant !== undefined && r.quant !== quant.id) continue;
      const f = checkDecodeClaim(catalog, e, r);
      if (f) flags.push(f);
    }
  }
  return flags;
}

/** A reported decode figure against the physics estimate for the same device, model and quant. */
export function checkDecodeClaim(catalog: Catalog, e: DeviceEvaluation, r: ReportedFigure): Flag | null {
  const base = {
    kind: 'seed-conflict' as const,
    device: e.id,
    subject: r.subject,
    claim: `${reportedValue(r)} (${r.claim})`,
    source: sourceTitle(catalog, r.source),
  };
  const claimsRuns = r.low !== null && r.high !== null;
  if (claimsRuns && e.fit === 'none') {
    return {
      ...base,
      estimate: `cannot run: needs ${fmt.gb(e.memory.requiredGB)} GB, ${fmt.gb(e.memory.raisedAvailableGB ?? e.memory.availableGB)} GB usable on ${e.shortName}`,
    };
  }
  if (!claimsRuns && e.fit !== 'none') {
    return {
      ...base,
      estimate: `runs (${e.fit === 'offload' ? 'with offload' : 'fits'}): ~${fmt.tps(e.decodeTokensPerSec ?? 0)} tok/s`,
    };
  }
  if (claimsRuns && e.decodeBand && e.decodeTokensPerSec) {
    const disjoint = r.high! < e.decodeBand.low || r.low! > e.decodeBand.high;
    if (disjoint)
      return {
        ...base,
        estimate: `~${fmt.tps(e.decodeTokensPerSec)} tok/s (band ${fmtBand(e.decodeBand, 'tok/s')})${e.fit === 'offload' ? ', with offload' : ''}`,
      };
  }
  return null;
}

function capacityFlags(evals: DeviceEvaluation[], q: NormalizedQuery): Flag[] {
  if (q.tokensPerDay === null) return [];
  return evals
    .filter((e) => e.cost.meetsDailyVolume === false && e.cost.capacityTokensPerDay !== null)
    .map((e) => ({
      kind: 'capacity' as const,
      device: e.id,
      capacityTokensPerDay: Math.round(e.cost.capacityTokensPerDay!),
      requestedTokensPerDay: q.tokensPerDay!,
      message: `${e.shortName} produces ~${Math.round(e.cost.capacityTokensPerDay! / 1000).toLocaleString('en-US')}k tokens in ${q.hoursPerDay} h at ~${fmt.tps(e.decodeTokensPerSec!)} tok/s (one stream), short of ${Math.round(q.tokensPerDay! / 1000).toLocaleString('en-US')}k a day.`,
    }));
}

function wiredFlags(evals: DeviceEvaluation[]): Flag[] {
  return evals
    .filter((e) => e.memory.needsRaisedLimit && e.memory.sysctlTip)
    .map((e) => ({
      kind: 'apple-wired-limit' as const,
      device: e.id,
      command: e.memory.sysctlTip!,
      message: `${e.shortName} lets the GPU use ${fmt.gb(e.memory.availableGB)} GB by default; this needs ${fmt.gb(e.memory.requiredGB)} GB. Raise the limit with \`${e.memory.sysctlTip}\` (resets at reboot).`,
    }));
}

function caveatsFor(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  match: ModelMatch,
  q: NormalizedQuery,
): string[] {
  const out: string[] = [];
  if (match.alternatives?.length)
    out.push(
      `"${safeEcho(q.modelInput ?? '', 60)}" also matches ${match.alternatives
        .slice(0, 4)
        .map((m) => m.name)
        .join(', ')}; I used ${model.name}. Name one to switch.`,
    );
  if (match.estimated)
    out.push(
      `${safeEcho(q.modelInput ?? '', 60) || 'This model'} is not in the catalog: sized as ${model.paramsB}B parameters with an estimated shape (${model.layers} layers, ${model.kvHeads} KV heads); GGUF size from bits per weight.`,
    );
  if (match.phantom)
    out.push(
      `${match.phantom.name} does not exist (${match.phantom.why}); shown for ${model.name}. Nearest real models: ${match.phantom.nearest.map((id) => catalog.model(id)?.name ?? id).join(', ')}.`,
    );
  for (const e of evals) {
    if (e.quantNote) out.push(e.quantNote);
    if (e.fit === 'offload')
      out.push(
        `${e.shortName}: with ${fmt.gb(e.memory.spillGB)} GB in system RAM, speed is set by RAM bandwidth; the figure is the least certain here.`,
      );
    if (!e.calibrated)
      out.push(
        `${e.shortName}: no measured ${e.backend.toUpperCase()} runs in our calibration set; its speed uses assumed efficiencies.`,
      );
  }
  const band = catalog.calibration.residuals.decodeBand;
  out.push(
    `Speeds are estimates for llama.cpp at batch 1 (band ${Math.round((Math.exp(band.low) - 1) * 100)}% to +${Math.round((Math.exp(band.high) - 1) * 100)}% from our calibration on measured runs); MLX is often 10-20% faster on the Mac.`,
  );
  if (q.contextTokens > 32768)
    out.push(
      `Long context: ${q.contextTokens.toLocaleString('en-US')} tokens of KV cache are counted in memory; decode slows as the context fills.`,
    );
  return out.slice(0, 6);
}

function alsoConsiderFor(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  quant: CatalogQuant,
  q: NormalizedQuery,
): AlsoConsider[] {
  const out: AlsoConsider[] = [];
  const inPair = new Set(evals.map((e) => e.id));
  const fitsOnGpuSomewhere = evals.some((e) => e.fit === 'gpu');
  if (!fitsOnGpuSomewhere) {
    const fitting = catalog.devices
      .filter((d) => !inPair.has(d.id))
      .map((d) => ({ d, m: estimateMemory(d, model, quant, q.contextTokens) }))
      .filter((x) => x.m.fit === 'gpu')
      .sort((x, y) => x.d.record.priceUSD.low - y.d.record.priceUSD.low)
      .slice(0, 2);
    for (const { d, m } of fitting)
      out.push({
        id: d.id,
        name: d.name,
        why: `holds ${model.name} ${quant.id} (${fmt.gb(m.requiredGB)} GB of ${fmt.gb(m.raisedAvailableGB ?? m.availableGB)} GB) from ${fmt.usd(d.record.priceUSD.low)}.`,
      });
  }
  // A smaller quantization that brings the model onto a GPU that cannot hold it now.
  const misfit = evals.find((e) => e.fit !== 'gpu');
  if (misfit) {
    const device = catalog.device(misfit.id)!;
    const smaller = catalog.quants
      .filter((x) => x.bitsPerWeight < quant.bitsPerWeight && x.backends.includes(device.backend) && x.family !== 'mlx')
      .sort((x, y) => y.bitsPerWeight - x.bitsPerWeight)
      .find((x) => estimateMemory(device, model, x, q.contextTokens).fit === 'gpu');
    if (smaller) {
      const m = estimateMemory(device, model, smaller, q.contextTokens);
      out.push({
        name: `${model.name} ${smaller.id}`,
        why: `fits ${misfit.shortName} (${fmt.gb(m.requiredGB)} GB); ${smaller.record.quality.charAt(0).toLowerCase()}${smaller.record.quality.slice(1)}`,
      });
    }
  }
  const dual = catalog.device('2x-rtx-5090');
  if (dual && !inPair.has(dual.id) && evals.some((e) => e.backend === 'cuda' && e.fit !== 'gpu')) {
    const m = estimateMemory(dual, model, quant, q.contextTokens);
    if (m.fit === 'gpu')
      out.push({
        id: dual.id,
        name: dual.name,
        why: `64 GB of VRAM holds it (${fmt.gb(m.requiredGB)} GB) at CUDA speed, from ${fmt.usd(dual.record.priceUSD.low)}.`,
      });
  }
  return out.slice(0, 3);
}

function sourcesFor(catalog: Catalog, evals: DeviceEvaluation[]): Verdict['sources'] {
  const keys = new Map<string, { file: keyof Catalog['files']; key: string }>();
  for (const e of evals) {
    const rec = catalog.device(e.id)!.record;
    for (const f of [rec.memoryGB, rec.bandwidthGBs, rec.power.loadW, rec.priceUSD])
      keys.set(`hardware:${f.source}`, { file: 'hardware', key: f.source });
    for (const r of e.reported) keys.set(`benchmarks:${r.source}`, { file: 'benchmarks', key: r.source });
  }
  const out: Verdict['sources'] = [];
  for (const [id, { file, key }] of keys) {
    const s = catalog.source(file, key);
    if (s && s !== 'estimate') out.push({ id, title: s.title, ...(s.url ? { url: s.url } : {}), date: s.date });
  }
  out.push({
    id: 'calibration',
    title: `Speed model fitted on ${catalog.calibration.points} measured llama.cpp/MLX runs (${catalog.calibration.source})`,
    date: catalog.calibration.fittedAt,
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Overview: the seed's model table, corrected by physics

function overview(
  catalog: Catalog,
  input: CompareInput,
  devices: [CatalogDevice, CatalogDevice],
  workflow: WorkflowId,
): Verdict {
  const query: NormalizedQuery = {
    model: null,
    modelInput: null,
    quant: DEFAULTS.quant,
    contextTokens: 8192,
    depthTokens: 512,
    promptTokens: 512,
    workflow,
    priority: input.priority ?? DEFAULTS.priority,
    devices: [devices[0].id, devices[1].id],
    hoursPerDay: input.hoursPerDay ?? DEFAULTS.hoursPerDay,
    kwhPrice: input.kwhPrice ?? DEFAULTS.kwhPrice,
    years: input.years ?? DEFAULTS.years,
    tokensPerDay: input.tokensPerDay ?? null,
    apiPricePerMTok: input.apiPricePerMTok ?? null,
    imageSteps: null,
    imageResolution: null,
  };
  const seen = new Set<string>();
  const rows: OverviewRow[] = [];
  const flags: Flag[] = [];
  for (const r of catalog.files.benchmarks.reported) {
    if (r.metric !== 'decode-tps') continue;
    const key = `${r.subject}|${r.quant ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const m = resolveModel(catalog, r.subject);
    if (!m.ok) continue;
    const quant = catalog.quant(r.quant ?? DEFAULTS.quant)!;
    const evals = devices.map((d) => evaluateDevice(catalog, d, m.value.model, quant, query));
    const cells = evals.map((e) => {
      const claim = catalog.files.benchmarks.reported.find(
        (x) => x.metric === 'decode-tps' && x.subject === r.subject && x.quant === r.quant && x.device === e.id,
      );
      if (claim) {
        const f = checkDecodeClaim(catalog, e, claim);
        if (f) flags.push(f);
      }
      return {
        id: e.id,
        fit: e.fit,
        requiredGB: e.memory.requiredGB,
        decodeTokensPerSec: e.decodeTokensPerSec,
        decodeBand: e.decodeBand,
        reported: claim ? reportedValue(claim) : null,
      };
    });
    const [x, y] = cells as [OverviewRow['devices'][0], OverviewRow['devices'][0]];
    const winner: Winner =
      x.decodeTokensPerSec === null && y.decodeTokensPerSec === null
        ? 'neither'
        : (x.decodeTokensPerSec ?? 0) > (y.decodeTokensPerSec ?? 0) * 1.1
          ? x.id
          : (y.decodeTokensPerSec ?? 0) > (x.decodeTokensPerSec ?? 0) * 1.1
            ? y.id
            : 'tie';
    rows.push({
      subject: r.subject,
      model: m.value.model.id,
      modelName: m.value.phantom ? `${m.value.phantom.name} (→ ${m.value.model.name})` : m.value.model.name,
      quant: quant.id,
      winner,
      devices: cells,
    });
  }
  const [a, b] = devices;
  const reasons = rows.slice(0, 5).map((row) => {
    const [x, y] = row.devices as [OverviewRow['devices'][0], OverviewRow['devices'][0]];
    const cell = (c: OverviewRow['devices'][0], d: CatalogDevice) =>
      c.decodeTokensPerSec === null
        ? `${d.shortName} cannot (${fmt.gb(c.requiredGB)} GB)`
        : `${d.shortName} ~${fmt.tps(c.decodeTokensPerSec)} tok/s${c.fit === 'offload' ? ' (offload)' : ''}`;
    return `${row.modelName} ${row.quant}: ${cell(x, a)}, ${cell(y, b)}.`;
  });
  const evals = devices.map((d) =>
    evaluateDevice(
      catalog,
      d,
      catalog.model(rows[0]?.model ?? catalog.models[0]!.id)!,
      catalog.quant(DEFAULTS.quant)!,
      query,
    ),
  );
  return {
    dataVersion: catalog.dataVersion,
    query,
    model: null,
    devices: evals,
    verdict: {
      winner: 'tie',
      headline: `It depends on model size: ${a.shortName} is faster on what fits in its memory; ${b.shortName} holds what does not. Ask with a model for a verdict.`,
      reasons,
      caveats: [
        `The seed article's speeds are reported figures; ${flags.length} of them disagree with physics and are flagged.`,
      ],
      alsoConsider: [],
    },
    cost: {
      years: query.years,
      hoursPerDay: query.hoursPerDay,
      kwhPrice: query.kwhPrice,
      perDevice: evals.map((e) => ({ id: e.id, ...e.cost })),
    },
    flags,
    overview: rows,
    sources: sourcesFor(catalog, evals),
  };
}
