/**
 * The verdict's sentences: a Decision and the evaluations in, the headline and reasons out; and the
 * caveats. Every figure goes through format.ts.
 */
import type { Catalog, CatalogModel } from '../catalog/catalog.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { PowerActivity } from '../physics/power.js';
import { DEFAULTS, type NormalizedQuery } from '../query/query.js';
import { safeEcho, type ModelMatch } from '../query/resolve.js';
import { isMediaWorkflow, priceKnown, type Decision, type Pair, type Weighed } from './decide.js';
import { fmt, fmtBand, fmtDb, fmtSec, fmtUsdBand } from './format.js';
import type { OverviewCell, OverviewRow } from './types.js';

const needs = (e: DeviceEvaluation) => `${fmt.gb(e.memory.requiredGB)} GB`;
const usable = (e: DeviceEvaluation) =>
  `${fmt.gb(e.fit === 'gpu' && !e.memory.needsRaisedLimit ? e.memory.availableGB : (e.memory.raisedAvailableGB ?? e.memory.availableGB))} GB`;
const context = (q: NormalizedQuery) => `${q.contextTokens.toLocaleString('en-US')} tokens of context`;
const promptK = (q: NormalizedQuery) => Math.round(q.promptTokens / 1000);

/** Whether the model fits a device, and how fast it then generates. */
export function fitReason(e: DeviceEvaluation, label: string, q: NormalizedQuery): string {
  if (e.fit === 'none')
    return `${e.shortName}: ${label} needs ${needs(e)} with ${context(q)}; only ${usable(e)} is usable.`;
  if (e.fit === 'offload')
    return `${e.shortName}: ${fmt.gb(e.memory.spillGB)} GB of ${needs(e)} spills to system RAM, so only ~${fmt.tps(e.decodeTokensPerSec!)} tok/s.`;
  const raised = e.memory.needsRaisedLimit ? ' after raising the GPU memory limit' : '';
  if (e.serving)
    return `${e.shortName}: fits (${needs(e)} of ${usable(e)}${raised}), with room for the KV caches of ${usersWords(e.serving.maxConcurrency)} of ${fmt.kTokens(e.serving.contextTokens)} context.`;
  return `${e.shortName}: fits (${needs(e)} of ${usable(e)}${raised}), ~${fmt.tps(e.decodeTokensPerSec!)} tok/s.`;
}

const usersWords = (n: number) =>
  n >= 100_000 ? 'any number of users' : `${n.toLocaleString('en-US')} user${n === 1 ? '' : 's'}`;

const RUNTIME_WORDS: Record<NonNullable<DeviceEvaluation['serving']>['runtime'], string> = {
  vllm: 'vLLM',
  'llama.cpp': 'llama-server',
  mlx: 'mlx-lm server',
};

/** "16 users at ~91 tok/s each, ~1,460 tok/s in all", or why it serves none. */
export function servedWords(e: DeviceEvaluation, label: string): string {
  const s = e.serving;
  const l = s?.served;
  if (!s || !l) return `cannot serve ${label} from GPU memory`;
  if (l.concurrency === 1) return `1 user at ~${fmt.tps(l.perUserTokensPerSec)} tok/s`;
  return `${l.concurrency} users at ~${fmt.tps(l.perUserTokensPerSec)} tok/s each, ~${fmt.tps(l.aggregateTokensPerSec)} tok/s in all`;
}

/**
 * A serving answer's headline: users served at a speed on each machine, the winner first, never
 * the batch-1 decode alone.
 */
export function servingHeadline(pair: readonly DeviceEvaluation[], winner: string, label: string): string {
  const agg = (e: DeviceEvaluation) => e.serving?.served?.aggregateTokensPerSec ?? 0;
  const ordered = [...pair].sort((x, y) => (y.id === winner ? 1 : 0) - (x.id === winner ? 1 : 0) || agg(y) - agg(x));
  const lead = winner === 'tie' ? 'Tie: ' : winner === 'neither' ? 'Neither serves it well: ' : '';
  const ctx = pair[0]?.serving ? `, ${fmt.kTokens(pair[0].serving.contextTokens)} context each` : '';
  return `${lead}${ordered.map((e) => `${e.shortName}: ${servedWords(e, label)}`).join('; ')} (${label}${ctx}).`;
}

/** One machine's serving figures at every level: per user, in all, and where the KV caches stop fitting. */
export function servingReason(e: DeviceEvaluation, label: string): string {
  const s = e.serving;
  if (!s || s.levels.length === 0)
    return `${e.shortName}: ${label} is not wholly in GPU memory, so it is not served with batching there.`;
  const level = (l: NonNullable<typeof s>['levels'][number]) =>
    !l.fits
      ? `${l.concurrency} do not fit (${fmt.gb(l.kvGB)} GB of KV)`
      : l.concurrency === 1
        ? `1 user ~${fmt.tps(l.perUserTokensPerSec)} tok/s`
        : `${l.concurrency} ~${fmt.tps(l.perUserTokensPerSec)} each (~${fmt.tps(l.aggregateTokensPerSec)} in all)`;
  return `${e.shortName} (${RUNTIME_WORDS[s.runtime]}): ${s.levels.map(level).join('; ')}; room for ${usersWords(s.maxConcurrency)}.`;
}

const METHOD_NAMES: Record<string, string> = { qlora: 'QLoRA', lora: 'LoRA', full: 'Full fine-tuning' };

/** One machine's fine-tuning: each method that fits, its training speed and hours per epoch. */
export function fineTuneReason(e: DeviceEvaluation): string {
  const fits = e.fineTune.filter((f) => f.fits && f.supported);
  if (!fits.length) {
    const qlora = e.fineTune[0];
    return `${e.shortName}: no fine-tuning method fits${qlora ? ` (QLoRA needs ~${fmt.gb(qlora.memoryGB)} GB)` : ''}${e.fineTune.every((f) => !f.supported) ? `; ${e.fineTune[0]?.tool ?? 'no training stack'}` : ''}.`;
  }
  const dataset = e.fineTuneRun ? ` an epoch of ${tokenWords(e.fineTuneRun.datasetTokens)} tokens` : '';
  const parts = fits.map((f) =>
    f.tokensPerSec !== null && f.hoursPerEpoch !== null
      ? `${METHOD_NAMES[f.method]} fits (~${fmt.gb(f.memoryGB)} GB), ~${fmt.tps(f.tokensPerSec)} training tok/s, ~${fmt.hours(f.hoursPerEpoch)} h${dataset}`
      : `${METHOD_NAMES[f.method]} fits (~${fmt.gb(f.memoryGB)} GB)`,
  );
  return `${e.shortName}: ${parts.join('; ')}.`;
}

/** "10M", "2.5B", "800k": a token count as people say it. */
export function tokenWords(n: number): string {
  const r = (x: number) => (x >= 10 ? Math.round(x).toString() : (Math.round(x * 10) / 10).toString());
  if (n >= 1e9) return `${r(n / 1e9)}B`;
  if (n >= 1e6) return `${r(n / 1e6)}M`;
  if (n >= 1e3) return `${r(n / 1e3)}k`;
  return String(n);
}

export function speedReason(d: Weighed, q: NormalizedQuery): string | null {
  const { faster, slower } = d;
  if (q.workflow === 'image') {
    const f = faster.images[0]?.secondsPerImage;
    const s = slower.images[0]?.secondsPerImage;
    // A device without a public figure has no image speed to compare; say so instead.
    if (!f || !s) {
      const without = f ? slower : faster;
      return `No public ${faster.images[0]?.name ?? 'image'} speed for ${without.shortName}; image support there is ${without.images[0]?.support ?? 'unknown'}.`;
    }
    return `${faster.shortName} makes a ${faster.images[0]!.name} image in ~${fmtBand(f, 's')} vs ~${fmtBand(s, 's')} (${faster.images[0]!.basisNote}).`;
  }
  if (q.workflow === 'serving' || q.workflow === 'fine-tune') return null;
  if (!faster.decodeTokensPerSec || !slower.decodeTokensPerSec) return null;
  const ratio = faster.decodeTokensPerSec / slower.decodeTokensPerSec;
  const ttftPart =
    q.promptTokens >= 2000 && faster.timeToFirstTokenSec !== null && slower.timeToFirstTokenSec !== null
      ? `; first token after ${promptK(q)}k tokens of prompt: ${fmtSec(faster.timeToFirstTokenSec)} vs ${fmtSec(slower.timeToFirstTokenSec)}`
      : '';
  return `${faster.shortName} generates ${fmt.ratio(ratio)}x faster (~${fmt.tps(faster.decodeTokensPerSec)} vs ~${fmt.tps(slower.decodeTokensPerSec)} tok/s)${ttftPart}.`;
}

export function ecosystemReason(better: DeviceEvaluation, worse: DeviceEvaluation, q: NormalizedQuery): string {
  return `${q.workflow}: ${better.workflowSupport.level} support on ${better.backend.toUpperCase()} vs ${worse.workflowSupport.level} on ${worse.backend.toUpperCase()} (${worse.workflowSupport.note}).`;
}

export function costReason(d: Weighed, [a, b]: Pair, q: NormalizedQuery): string {
  const electricity = `electricity at ${q.hoursPerDay} h/day in use and idle otherwise, $${q.kwhPrice.toFixed(2)}/kWh`;
  const unknown = [a, b].filter((e) => !priceKnown(e));
  if (unknown.length)
    return `${unknown.map((e) => e.shortName).join(' and ')}: no price in the catalog, so cost is not compared; electricity ${[a, b].map((e) => `${e.shortName} ${fmt.usd(e.cost.electricityPerYearUSD)}/yr`).join(', ')}.`;
  const overlap = d.cheaper.cost.totalUSD.high >= d.dearer.cost.totalUSD.low;
  return overlap
    ? `Over ${q.years} years both cost about the same (${fmtUsdBand(a.cost.totalUSD)} vs ${fmtUsdBand(b.cost.totalUSD)}, ${electricity}).`
    : `${d.cheaper.shortName} costs ~${fmt.usd(d.costDiff)} less over ${q.years} years (${fmtUsdBand(d.cheaper.cost.totalUSD)} vs ${fmtUsdBand(d.dearer.cost.totalUSD)}, ${electricity}).`;
}

const ACTIVITY_WORDS: Record<PowerActivity, string> = {
  idle: 'idle',
  decode: 'generating',
  prefill: 'reading prompts',
  image: 'making images',
  video: 'making video',
  training: 'training',
};

/** The activity that takes most of an hour of use, and whether the machine's draw for it is measured. */
function mainActivity(e: DeviceEvaluation): { activity: PowerActivity; measured: boolean } {
  const [activity] = Object.entries(e.power.inUse.shares).sort((x, y) => y[1] - x[1])[0] ?? ['decode'];
  const a = activity as PowerActivity;
  return { activity: a, measured: e.power.activities[a].basis === 'measured' };
}

/** "~710 W at the wall generating (measured)": what the machine draws doing the workflow. */
export function drawWords(e: DeviceEvaluation): string {
  const { activity, measured } = mainActivity(e);
  return `~${fmt.watts(e.power.inUse.watts)} W ${ACTIVITY_WORDS[activity]}${measured ? ' (measured)' : ''}`;
}

export function powerReason({ quiet, loud }: Weighed): string {
  return `${quiet.shortName} draws ${drawWords(quiet)} at the wall, ${loud.shortName} ${drawWords(loud)}; ${fmtDb(quiet.noise.loadDbA)} vs ${fmtDb(loud.noise.loadDbA)}.`;
}

/** What the power model says where a reported load figure falls outside its band. */
export function powerConflictEstimate(e: DeviceEvaluation): string {
  const full = e.power.activities.prefill;
  const decode = e.power.activities.decode;
  return `~${fmt.watts(full.watts)} W flat out (band ${fmt.watts(full.band.low)}-${fmt.watts(full.band.high)} W, ${full.basis}), ~${fmt.watts(decode.watts)} W generating (${decode.basis})`;
}

/** Reasons tied to numbers, the user's priority first, then the fit lines; five at most. */
function weighedReasons(d: Weighed, pair: Pair, q: NormalizedQuery, earlier: string[], label: string): string[] {
  const ordered: string[] = [];
  const speed = speedReason(d, q);
  if (speed) ordered.push(speed);
  if (q.workflow === 'serving') ordered.push(...[d.faster, d.slower].map((e) => servingReason(e, label)));
  if (d.scores.ecosystem !== 0) {
    const better = d.scores.ecosystem > 0 ? pair[0] : pair[1];
    ordered.push(ecosystemReason(better, better === pair[0] ? pair[1] : pair[0], q));
  }
  const cost = costReason(d, pair, q);
  const power = powerReason(d);
  if (q.priority === 'budget') ordered.unshift(cost);
  else ordered.push(cost);
  if (q.priority === 'silence' || q.priority === 'power') ordered.unshift(power);
  else ordered.push(power);
  const fitReasons = earlier.filter((r) => /fits|spills|needs/.test(r));
  // The serving figures are two reasons, not one: keep a third for what the priority asked.
  return [...ordered.slice(0, q.workflow === 'serving' ? 4 : 3), ...fitReasons].slice(0, 5);
}

function tieHeadline({ faster, quiet, cheaper, speedRatio }: Weighed, label: string): string {
  const other =
    quiet === faster
      ? priceKnown(cheaper) && priceKnown(cheaper === faster ? quiet : faster)
        ? `${cheaper.shortName} is cheaper`
        : `${faster.shortName} is also quieter`
      : `${quiet.shortName} is quieter and frugal`;
  return `Tie for ${label}: ${faster.shortName} is ${fmt.ratio(speedRatio)}x faster, ${other}; your priority decides.`;
}

function fasterHeadline(w: DeviceEvaluation, l: DeviceEvaluation, ratio: number, q: NormalizedQuery, label: string) {
  if (q.workflow === 'image')
    return `${w.shortName}: ${fmt.ratio(ratio)}x faster image generation, with the full CUDA node ecosystem.`;
  if (q.promptTokens >= 2000)
    return `${w.shortName}: ${fmt.ratio(ratio)}x faster per ${q.workflow} request on ${label} (${promptK(q)}k-token prompt + ${DEFAULTS.answerTokens}-token answer: ${fmtSec(w.secondsPerRequest!)} vs ${fmtSec(l.secondsPerRequest!)}).`;
  // Faster per request but not at generating (its prompt processing wins it): say the request, never
  // "1.0x faster" beside a lower tok/s.
  if (w.decodeTokensPerSec! < l.decodeTokensPerSec! && w.secondsPerRequest && l.secondsPerRequest)
    return `${w.shortName}: ${fmt.ratio(ratio)}x faster per ${q.workflow} request on ${label} (${q.promptTokens}-token prompt + ${DEFAULTS.answerTokens}-token answer: ${fmtSec(w.secondsPerRequest)} vs ${fmtSec(l.secondsPerRequest)}), though ${l.shortName} generates faster (~${fmt.tps(l.decodeTokensPerSec!)} vs ~${fmt.tps(w.decodeTokensPerSec!)} tok/s).`;
  return `${w.shortName}: ${fmt.ratio(w.decodeTokensPerSec! / l.decodeTokensPerSec!)}x faster on ${label} (~${fmt.tps(w.decodeTokensPerSec!)} vs ~${fmt.tps(l.decodeTokensPerSec!)} tok/s).`;
}

/** The headline names the winner by the strength the user's priority asked for, else its best one. */
function winnerHeadline(d: Weighed, [a, b]: Pair, q: NormalizedQuery, label: string): string {
  const w = d.winner!;
  const l = w === a ? b : a;
  const { faster, quiet, loud, cheaper, costDiff, speedRatio, scores } = d;
  if (q.priority === 'silence' && w === quiet)
    return `${w.shortName}: near-silent (${fmtDb(w.noise.loadDbA)}) and ${w.speedClass === 'realtime' ? 'still real-time' : `still ${w.speedClass}`} at ~${fmt.tps(w.decodeTokensPerSec ?? 0)} tok/s.`;
  const pricesKnown = priceKnown(a) && priceKnown(b);
  if (q.priority === 'budget' && w === cheaper && pricesKnown)
    return `${w.shortName}: ~${fmt.usd(costDiff)} cheaper over ${q.years} years for ${label}.`;
  if (q.priority === 'power' && w === quiet)
    return `${w.shortName}: ${drawWords(quiet)} vs ${drawWords(loud)} for ${label}.`;
  if (w === faster && speedRatio >= 1.15) return fasterHeadline(w, l, speedRatio, q, label);
  if (scores.ecosystem !== 0 && scores.ecosystem > 0 === (w === a))
    return `${w.shortName}: ${q.workflow} has ${w.workflowSupport.level} support there, ${l.workflowSupport.level} on ${l.shortName}.`;
  const strengths = [
    w === faster && speedRatio >= 1.05 ? 'faster' : '',
    w === quiet ? 'quieter, frugal' : '',
    w === cheaper && pricesKnown ? `${fmt.usd(costDiff)} cheaper over ${q.years} years` : '',
  ].filter(Boolean);
  return `${w.shortName}: the better balance for ${label}${strengths.length ? ` (${strengths.join(', ')})` : ''}.`;
}

/** The headline and reasons of a decision; `label` names the model and quant ("Llama 3.1 8B Q4_K_M"). */
export function wordDecision(d: Decision, pair: Pair, q: NormalizedQuery, label: string) {
  const [a] = pair;
  const media = isMediaWorkflow(q.workflow);
  const reasons = media
    ? []
    : pair.map((e) => (q.workflow === 'fine-tune' ? fineTuneReason(e) : fitReason(e, label, q)));
  if (d.kind === 'neither-fits')
    return { headline: `Neither: ${label} needs ~${needs(a)}, more than either machine can hold.`, reasons };
  for (const e of pair)
    if (e.workflowSupport.level === 'none')
      reasons.push(`${e.shortName}: ${q.workflow} is not supported (${e.workflowSupport.note}).`);
  if (d.kind === 'only-one') {
    const l = d.loser;
    const why =
      l.workflowSupport.level === 'none'
        ? `${q.workflow} does not run on ${l.shortName}`
        : `it does not fit on ${l.shortName}`;
    const what = media ? q.workflow : label;
    return {
      headline: `${d.winner.shortName}: the only one of the two for ${what}; ${why}.`,
      reasons: reasons.slice(0, 5),
    };
  }
  if (d.kind === 'neither-runs')
    return { headline: `Neither runs ${q.workflow} with ${label}.`, reasons: reasons.slice(0, 5) };
  return {
    headline: d.winner ? winnerHeadline(d, pair, q, label) : tieHeadline(d, label),
    reasons: weighedReasons(d, pair, q, reasons, label),
  };
}

/** What the user should know about the answer itself: the model match, the estimates, long context. */
export function caveatsFor(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  match: ModelMatch,
  q: NormalizedQuery,
): string[] {
  const out = matchCaveats(catalog, model, match, q);
  for (const e of evals) {
    if (e.quantNote) out.push(e.quantNote);
    if (e.fit === 'offload')
      out.push(
        `${e.shortName}: with ${fmt.gb(e.memory.spillGB)} GB in system RAM, speed is set by RAM bandwidth; the figure is the least certain here.`,
      );
    // Host RAM too small for its part: a mapped file still starts, and thrashes.
    if (e.fit === 'none' && (e.memory.pageCacheShortGB ?? 0) >= 0.5)
      out.push(
        `${e.shortName}: llama.cpp would still start with the file mapped, but ~${fmt.gb(e.memory.pageCacheShortGB!)} GB of it fits in neither VRAM nor RAM and is read from disk as tokens need it: far slower than RAM, not counted as running.`,
      );
    const longest = longestContextWords(e, q);
    if (longest) out.push(longest);
    const runtimes = runtimesWords(e);
    if (runtimes) out.push(runtimes);
    if (!e.calibrated)
      out.push(
        `${e.shortName}: no measured ${e.backend.toUpperCase()} runs in our calibration set; its speed uses assumed efficiencies.`,
      );
  }
  out.push(speedCaveat(catalog, evals, q));
  if (q.contextTokens > 32768)
    out.push(
      `Long context: ${q.contextTokens.toLocaleString('en-US')} tokens of ${q.kvCache === 'f16' ? '' : `${q.kvCache} `}KV cache are counted in memory; decode slows as the context fills.`,
    );
  return out.slice(0, 6);
}

/**
 * On a Mac, llama.cpp and MLX side by side where they differ by more than the band: the other
 * runtime's decode outside this estimate's band, or its prompt speed a quarter apart.
 */
export function runtimesWords(e: DeviceEvaluation): string | null {
  const o = e.otherRuntime;
  if (!o || e.decodeTokensPerSec === null || e.prefillTokensPerSec === null || !e.decodeBand) return null;
  const decodeApart = o.decodeTokensPerSec < e.decodeBand.low || o.decodeTokensPerSec > e.decodeBand.high;
  const prefillApart = Math.abs(Math.log(o.prefillTokensPerSec / e.prefillTokensPerSec)) > Math.log(1.25);
  if (!decodeApart && !prefillApart) return null;
  const mine = o.runtime === 'MLX' ? 'llama.cpp' : 'MLX';
  return `${e.shortName}: ${o.runtime} (${o.quant}) runs it at ~${fmt.tps(o.decodeTokensPerSec)} tok/s and reads prompts at ~${fmt.tps(o.prefillTokensPerSec)} tok/s, against ${mine}'s ~${fmt.tps(e.decodeTokensPerSec)} and ~${fmt.tps(e.prefillTokensPerSec)} (estimates, each fitted on its own runs).`;
}

/** How the speeds of this answer were estimated: batched serving, fine-tuning, or batch-1 decode. */
function speedCaveat(catalog: Catalog, evals: DeviceEvaluation[], q: NormalizedQuery): string {
  const pctOf = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 100));
  const serving = catalog.servingCalibration;
  if (q.workflow === 'serving' && serving) {
    const held = pctOf(serving.residuals.holdoutMedianAbs);
    return `Serving speeds are estimates: one decode step streams the weights once for every user, and each user's KV cache and arithmetic add to it (vLLM on CUDA, llama-server elsewhere); fitted on ${serving.points} measured concurrent runs${held !== null ? `, median error ${held}% on held-out runs` : ''}.`;
  }
  const fineTune = catalog.fineTuneCalibration;
  const run = evals.find((e) => e.fineTuneRun)?.fineTuneRun;
  if (q.workflow === 'fine-tune' && fineTune && run) {
    const held = pctOf(fineTune.medianError.holdout);
    const dataset = run.datasetStated
      ? `${tokenWords(run.datasetTokens)} tokens as asked`
      : `${tokenWords(run.datasetTokens)} tokens assumed (say "a 50M-token dataset" to change it)`;
    return `Fine-tuning speeds are estimates for ${run.seqLen.toLocaleString('en-US')}-token sequences, ${run.microBatch} per step with ${run.gradAccum} accumulation steps, over a dataset of ${dataset}; fitted on ${fineTune.points} measured training runs${held !== null ? `, median error ${held}% on held-out runs` : ''}.`;
  }
  const band = catalog.calibration.residuals.decodeBand;
  const pct = (x: number) => Math.round((Math.exp(x) - 1) * 100);
  return `Speeds are estimates for llama.cpp at batch 1 (band ${pct(band.low)}% to +${pct(band.high)}% from our calibration on measured runs); MLX files on a Mac use MLX's own fit.`;
}

/** When the asked context does not fit in GPU memory, the longest that does, and with a q8_0 cache. */
function longestContextWords(e: DeviceEvaluation, q: NormalizedQuery): string | null {
  const l = e.longestContext;
  if (!l) return null;
  const own = q.kvCache === 'f16' ? l.f16 : l.q8_0;
  if (own < 1024 || own >= q.contextTokens) return null;
  const q8 =
    q.kvCache === 'f16' && l.q8_0 > l.f16 ? ` (${fmt.kTokens(l.q8_0)} with a q8_0 KV cache: -ctk q8_0 -ctv q8_0)` : '';
  return `${e.shortName}: the whole model stays in GPU memory up to ${fmt.kTokens(own)} tokens of context${q8}.`;
}

/** The attention layout in a few words: what decides the KV cache. */
function attentionWords(m: CatalogModel): string {
  const a = m.attention;
  switch (a.kind) {
    case 'mla':
      return 'latent attention';
    case 'hybrid':
      return `a KV cache in ${a.fullLayers} of its layers`;
    case 'sliding':
      return `${a.globalLayers} global layers, the rest a ${a.window}-token window`;
    case 'full':
      return `${m.kvHeads} KV heads`;
  }
}

/** How the model the user named was matched: ambiguous, estimated, or a model that does not exist. */
function matchCaveats(catalog: Catalog, model: CatalogModel, match: ModelMatch, q: NormalizedQuery): string[] {
  const out: string[] = [];
  const said = safeEcho(q.modelInput ?? '', 60);
  if (match.alternatives?.length) {
    const others = match.alternatives.slice(0, 4).map((m) => m.name);
    out.push(`"${said}" also matches ${others.join(', ')}; I used ${model.name}. Name one to switch.`);
  }
  if (match.estimated)
    out.push(
      `${said || 'This model'} is not in the catalog: sized as ${model.paramsB}B parameters with an estimated shape (${model.layers} layers, ${model.kvHeads} KV heads); GGUF size from bits per weight.`,
    );
  if (match.learned)
    out.push(
      `${model.name} is not in the catalog: its shape (${model.layers} layers, ${attentionWords(model)}, ${model.paramsB}B parameters) comes from ${match.learned.from} (${match.learned.read.join(', ')}), fetched ${match.learned.fetchedAt.slice(0, 10)}.`,
    );
  if (match.phantom) {
    const nearest = match.phantom.nearest.map((id) => catalog.model(id)?.name ?? id);
    out.push(
      `${match.phantom.name} does not exist (${match.phantom.why}); shown for ${model.name}. Nearest real models: ${nearest.join(', ')}.`,
    );
  }
  return out;
}

// The overview (no model named): the seed's table, checked.

type Sized = { shortName: string; memoryGB: number; bandwidthGBs: number; gpus: number };

/** Which of the two streams faster and which holds more, said the right way round. */
export function overviewHeadline(a: Sized, b: Sized): string {
  const faster = a.bandwidthGBs >= b.bandwidthGBs ? a : b;
  const bigger = a.memoryGB * a.gpus >= b.memoryGB * b.gpus ? a : b;
  if (faster === bigger)
    return `${faster.shortName} is faster and holds more: it runs everything ${(faster === a ? b : a).shortName} runs, quicker. Ask with a model for a verdict.`;
  return `It depends on model size: ${faster.shortName} is faster on what fits in its memory; ${bigger.shortName} holds what does not. Ask with a model for a verdict.`;
}

/** What runs on one machine, from the overview's rows: the largest model that runs, and how fast. */
export function planHeadline(rows: OverviewRow[], name: string): string {
  const runs = rows.filter(
    (r) => r.devices[0]?.decodeTokensPerSec !== null && r.devices[0]?.decodeTokensPerSec !== undefined,
  );
  if (runs.length === 0)
    return `None of the table's models runs on ${name}; smaller models (1-3B) may. Ranked picks come with the planner.`;
  const largest = (xs: OverviewRow[]) => [...xs].sort((x, y) => y.devices[0]!.requiredGB - x.devices[0]!.requiredGB)[0];
  const inMemory = largest(runs.filter((r) => r.devices[0]!.fit === 'gpu'));
  const offloaded = largest(runs.filter((r) => r.devices[0]!.fit === 'offload'));
  const say = (r: OverviewRow) => `${r.modelName} ${r.quant} (~${fmt.tps(r.devices[0]!.decodeTokensPerSec!)} tok/s)`;
  const parts = [
    inMemory ? `up to ${say(inMemory)} in memory` : "none of the table's models in memory",
    ...(offloaded && (!inMemory || offloaded.devices[0]!.requiredGB > inMemory.devices[0]!.requiredGB)
      ? [`${say(offloaded)} only with offload`]
      : []),
  ];
  return `On ${name}: ${parts.join('; ')}. Ranked picks per workflow come with the planner.`;
}

/** "Llama 3 70B Q4_K_M: RTX 5090 ~12 tok/s (offload), Mac Studio ~9.6 tok/s." */
export function overviewReason(row: OverviewRow, [a, b]: [{ shortName: string }, { shortName: string }]): string {
  const cell = (c: OverviewCell, d: { shortName: string }) =>
    c.decodeTokensPerSec === null
      ? `${d.shortName} cannot (${fmt.gb(c.requiredGB)} GB)`
      : `${d.shortName} ~${fmt.tps(c.decodeTokensPerSec)} tok/s${c.fit === 'offload' ? ' (offload)' : ''}`;
  return `${row.modelName} ${row.quant}: ${cell(row.devices[0]!, a)}, ${cell(row.devices[1]!, b)}.`;
}

export function overviewCaveat(conflicts: number): string {
  return `The seed article's speeds are reported figures; ${conflicts} of them disagree with physics and are flagged.`;
}

/** What physics says instead of a reported figure, in words: it cannot run, it runs, or at another speed. */
export function conflictEstimate(kind: 'cannot-run' | 'runs' | 'other-speed', e: DeviceEvaluation): string {
  if (kind === 'cannot-run')
    return `cannot run: needs ${fmt.gb(e.memory.requiredGB)} GB, ${fmt.gb(e.memory.raisedAvailableGB ?? e.memory.availableGB)} GB usable on ${e.shortName}`;
  if (kind === 'runs')
    return `runs (${e.fit === 'offload' ? 'with offload' : 'fits'}): ~${fmt.tps(e.decodeTokensPerSec ?? 0)} tok/s`;
  return `~${fmt.tps(e.decodeTokensPerSec ?? 0)} tok/s (band ${fmtBand(e.decodeBand!, 'tok/s')})${e.fit === 'offload' ? ', with offload' : ''}`;
}

/** One stream falls short of the tokens a day asked for. */
export function capacityMessage(e: DeviceEvaluation, q: NormalizedQuery): string {
  const k = (x: number) => Math.round(x / 1000).toLocaleString('en-US');
  return `${e.shortName} produces ~${k(e.cost.capacityTokensPerDay!)}k tokens in ${q.hoursPerDay} h at ~${fmt.tps(e.decodeTokensPerSec!)} tok/s (one stream), short of ${k(q.tokensPerDay!)}k a day.`;
}

/** A Mac's GPU memory limit, and the command that raises it. */
export function wiredLimitMessage(e: DeviceEvaluation): string {
  return `${e.shortName} lets the GPU use ${fmt.gb(e.memory.availableGB)} GB by default; this needs ${fmt.gb(e.memory.requiredGB)} GB. Raise the limit with \`${e.memory.sysctlTip}\` (resets at reboot).`;
}

// Questions about one machine, and video: the headline speaks of what was asked.

/**
 * The headline of a question about one machine ("can my 3060 run it?", "how fast on my Mac?"):
 * that machine's answer first; the other machine of the verdict stays beside it for scale.
 */
export function focusHeadline(e: DeviceEvaluation, label: string, q: NormalizedQuery, imageId?: string): string {
  if (q.workflow === 'image') {
    const own = imageId ? e.images.find((i) => i.id === imageId) : undefined;
    const img = own ?? e.images[0];
    // A model without image figures of its own is shown with the nearest workload, named as such.
    if (img && !own && imageId !== undefined && img.secondsPerImage)
      return `${e.shortName}: no image-speed figures for ${label} yet; ${img.name} takes ~${fmtSec(img.seconds ?? (img.secondsPerImage.low + img.secondsPerImage.high) / 2)} per image there (${img.steps} steps, ${img.resolution} px), for scale.`;
    if (!img || img.support === 'none' || !img.secondsPerImage)
      return `${e.shortName}: ${img?.name ?? 'image generation'} has no estimate there (${e.workflowSupport.note}).`;
    return `${e.shortName}: ~${fmtSec(img.seconds ?? (img.secondsPerImage.low + img.secondsPerImage.high) / 2)} per ${img.name} image (${img.steps} steps, ${img.resolution} px).`;
  }
  if (e.fit === 'none') {
    const usable = e.memory.raisedAvailableGB ?? e.memory.availableGB;
    return `${label} does not fit on ${e.shortName}: it needs ~${fmt.gb(e.memory.requiredGB)} GB; ${fmt.gb(usable)} GB is usable.`;
  }
  if (q.workflow === 'serving' && e.serving)
    return e.serving.served
      ? `${e.shortName} serves ${label} to ${servedWords(e, label)} (${e.serving.maxConcurrency} users' context fits).`
      : `${e.shortName} cannot serve ${label} from GPU memory.`;
  if (q.workflow === 'fine-tune' && e.fineTune.length) {
    // A fine-tuning question is answered with what training needs, not what inference fits.
    // The best method that fits: full fine-tuning, else LoRA, else QLoRA.
    const fits = [...e.fineTune].reverse().find((f) => f.fits && f.supported);
    const qlora = e.fineTune[0]!;
    const hours =
      fits && fits.hoursPerEpoch !== null && e.fineTuneRun
        ? `, ~${fmt.hours(fits.hoursPerEpoch)} h per epoch of ${tokenWords(e.fineTuneRun.datasetTokens)} tokens`
        : '';
    return fits
      ? `${e.shortName} can fine-tune ${label.replace(/ \S+$/, '')} with ${fits.method === 'qlora' ? 'QLoRA' : fits.method === 'lora' ? 'LoRA' : 'full fine-tuning'} (~${fmt.gb(fits.memoryGB)} GB${hours}, ${fits.tool}).`
      : `${e.shortName} cannot fine-tune ${label.replace(/ \S+$/, '')}: even QLoRA needs ~${fmt.gb(qlora.memoryGB)} GB, more than it can hold.`;
  }
  const tps = e.decodeTokensPerSec === null ? '' : `, ~${fmt.tps(e.decodeTokensPerSec)} tok/s`;
  // A sliver in RAM is no offload worth a warning; slow is what people call under ~10 tok/s.
  if (e.fit === 'offload' && e.memory.spillGB >= 0.5)
    return `${e.shortName} runs ${label} only with ~${fmt.gb(e.memory.spillGB)} GB of it in system RAM${tps}${(e.decodeTokensPerSec ?? 0) < 10 ? ': slow, set by RAM bandwidth' : ''}.`;
  const raised = e.memory.needsRaisedLimit ? ' after raising the macOS GPU memory limit' : '';
  return `Yes: ${label} fits on ${e.shortName}${raised} (${fmt.gb(e.memory.requiredGB)} of ${fmt.gb(e.memory.raisedAvailableGB ?? e.memory.availableGB)} GB)${tps}.`;
}

const METHOD_WORDS: Record<string, string> = { qlora: 'QLoRA', lora: 'LoRA', full: 'full fine-tuning' };

/**
 * A fine-tuning question's headline: which methods fit each machine's memory with the tooling that
 * exists there, the one that fits more first; never the inference speed nobody asked about.
 */
export function fineTuneHeadline(pair: readonly DeviceEvaluation[], modelName: string): string {
  const fitting = (e: DeviceEvaluation) => e.fineTune.filter((f) => f.fits && f.supported);
  // LoRA in 16-bit over QLoRA, full fine-tuning over both: more methods is a larger memory margin.
  const ranked = [...pair].sort((x, y) => fitting(y).length - fitting(x).length);
  const part = (e: DeviceEvaluation) => {
    const ok = fitting(e);
    if (!ok.length) return `${e.shortName}: no method fits`;
    const methods = ok
      .map(
        (f) =>
          `${METHOD_WORDS[f.method]} (~${fmt.gb(f.memoryGB)} GB${f.hoursPerEpoch !== null ? `, ~${fmt.hours(f.hoursPerEpoch)} h an epoch` : ''})`,
      )
      .join(', ');
    return `${e.shortName}: ${methods} with ${ok[ok.length - 1]!.tool}`;
  };
  const full = pair[0]?.fineTune.find((f) => f.method === 'full');
  const noneFull = full && pair.every((e) => !e.fineTune.find((f) => f.method === 'full')?.fits);
  const run = pair.find((e) => e.fineTuneRun)?.fineTuneRun;
  const dataset = run ? ` (${tokenWords(run.datasetTokens)}-token dataset)` : '';
  return `Fine-tuning ${modelName}${dataset}: ${ranked.map(part).join('; ')}${noneFull ? `; full fine-tuning needs ~${fmt.gb(full.memoryGB)} GB` : ''}.`;
}

/** A video model's headline: which machine runs it at all, and whether it fits. Never an LLM's speed. */
export function videoHeadline(pair: DeviceEvaluation[], modelName: string, videoId: string | undefined): string {
  // A video model without a measured workload of its own is answered by the video workflow's support.
  const rows = pair.map((e) => ({
    e,
    v: (videoId ? e.video.find((v) => v.id === videoId) : undefined) ?? {
      id: 'video',
      name: 'video',
      level: e.workflowSupport.level,
      note: e.workflowSupport.note,
      fits: true,
    },
  }));
  const runs = rows.filter((r) => r.v && r.v.level !== 'none' && r.v.fits);
  const rank: Record<string, number> = { full: 4, good: 3, partial: 2, limited: 1, none: 0 };
  if (runs.length === 0)
    return `Neither runs ${modelName} well: ${rows.map((r) => `${r.e.shortName} ${r.v ? (r.v.fits ? `${r.v.level} support` : 'not enough memory') : 'no support'}`).join(', ')}.`;
  const best = [...runs].sort((a, b) => rank[b.v!.level]! - rank[a.v!.level]!)[0]!;
  const other = rows.find((r) => r !== best)!;
  const otherWords = other.v
    ? other.v.level === 'none'
      ? 'does not run it'
      : other.v.fits
        ? `${other.v.level} support`
        : 'lacks the memory'
    : 'has no support';
  return `${best.e.shortName} for ${modelName} video: ${best.v!.level} support (${best.v!.note || 'CUDA-first tools'}); ${other.e.shortName} ${otherWords}.`;
}
