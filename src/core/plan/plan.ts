/**
 * "What can I run on it?" and "should I upgrade?" (issue 15): for each machine, the catalog's
 * models that run at the asked context and speed, each in the best quant that does, ranked by a
 * public leaderboard score for the workflow (models without one after, and said so). A pick's
 * figures come from the same evaluation `compare` makes for that model, quant and context.
 */
import { z } from 'zod';
import type { Catalog, CatalogDevice, CatalogModel, CatalogQuant } from '../catalog/catalog.js';
import { evaluateDevice, quantForDevice, type DeviceEvaluation } from '../physics/evaluate.js';
import { estimateMemory } from '../physics/memory.js';
import { decodeTokensPerSec } from '../physics/speed.js';
import { resolveDevice } from '../query/resolve.js';
import { DEFAULTS } from '../query/query.js';
import { err, ok, type Result } from '../result.js';
import { modelQuery } from '../verdict/compare.js';
import { planHeadline } from './identity.js';
import { fineTuneCandidates, mediaCandidates } from './media.js';
import { benchmarksFor, qualityOf } from './quality.js';
import type { Plan, PlanDevice, PlanPick, PlanQuery, UpgradeCandidate } from './types.js';

/** The workflows a plan ranks models for: LLM work, image and video generation, fine-tuning. */
export const PLAN_WORKFLOWS = ['chat', 'coding', 'rag', 'image', 'video', 'fine-tune'] as const;
export type PlanWorkflow = (typeof PLAN_WORKFLOWS)[number];
const LLM_WORKFLOWS: readonly string[] = ['chat', 'coding', 'rag'];

export const PlanInputSchema = z.object({
  /** Machines to plan for (ids or names); the default pair when none. */
  devices: z.array(z.string().trim().min(1).max(80)).max(4).optional(),
  /** The machine one has: planned first with role "current", the others as candidates. */
  current: z.string().trim().min(1).max(80).optional(),
  workflow: z.enum(PLAN_WORKFLOWS).optional(),
  contextTokens: z.number().int().min(512).max(1_048_576).optional(),
  minTokensPerSec: z.number().min(0).max(1000).optional(),
  budgetUSD: z.number().min(0).max(1_000_000).optional(),
  allowOffload: z.boolean().optional(),
  limit: z.number().int().min(1).max(25).optional(),
  resaleUSD: z.number().min(0).max(1_000_000).optional(),
  hoursPerDay: z.number().min(0).max(24).optional(),
  kwhPrice: z.number().min(0).max(5).optional(),
});
export type PlanInput = z.infer<typeof PlanInputSchema>;

/** Best first: what people run when it fits, down to what still runs well. */
const QUANT_LADDER = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'IQ4_XS'];
/** Below 4 bits a dense model loses too much to recommend; a very large one (DeepSeek, Kimi) keeps enough. */
const LOW_BIT = ['Q3_K_M', 'Q2_K'];
const LOW_BIT_FROM_B = 100;

/** The quants to try for a model: its native format alone when it ships in one llama.cpp runs. */
function ladderOf(catalog: Catalog, model: CatalogModel): CatalogQuant[] {
  const ids =
    model.record.nativeQuant === 'MXFP4'
      ? ['MXFP4']
      : model.paramsB >= LOW_BIT_FROM_B
        ? [...QUANT_LADDER, ...LOW_BIT]
        : QUANT_LADDER;
  return ids.map((id) => catalog.quant(id)).filter((q): q is CatalogQuant => q !== undefined);
}

function quantCostOf(catalog: Catalog, quant: string): string | null {
  const m = catalog.quality?.quants.find((x) => x.quant === quant);
  if (!m) return null;
  const measured = catalog.model(m.measuredOn)?.name ?? m.measuredOn;
  return m.metric === 'kld'
    ? `${quant}: mean KL divergence ${m.value} against 16-bit on ${measured}`
    : `${quant}: perplexity +${m.value}% against 16-bit on ${measured}`;
}

/** GGUF repos of the quantizers that publish every quant, before an official one that may hold only one. */
const GGUF_PUBLISHERS = /^(unsloth|bartowski|ggml-org|lmstudio-community|mradermacher|QuantFactory)\//i;

/** How to run it there: MLX on a Mac when an MLX repo of that width exists, else llama.cpp from a GGUF repo, else Ollama. */
function runCommand(device: CatalogDevice, model: CatalogModel, quant: CatalogQuant, contextTokens: number): string {
  const hf = model.record.huggingface;
  const bits =
    quant.bitsPerWeight >= 7.5 ? '8bit' : quant.bitsPerWeight >= 4.25 && quant.bitsPerWeight < 5 ? '4bit' : null;
  const mlx = bits ? hf.find((r) => /^mlx-community\//i.test(r) && r.toLowerCase().endsWith(bits)) : undefined;
  if (device.backend === 'metal' && mlx) return `mlx_lm.server --model ${mlx}`;
  const ggufs = hf.filter((r) => /gguf/i.test(r) && !/qat|q4_0|q8_0|awq|gptq/i.test(r));
  const gguf = ggufs.find((r) => GGUF_PUBLISHERS.test(r)) ?? ggufs[0];
  if (gguf) return `llama-server -hf ${gguf}:${quant.id} -c ${contextTokens}`;
  const tag = model.record.ollama[0];
  if (tag) return `OLLAMA_CONTEXT_LENGTH=${contextTokens} ollama run ${tag}`;
  return `llama-server -m <${model.name} ${quant.id} GGUF> -c ${contextTokens}`;
}

interface Candidate {
  model: CatalogModel;
  quant: CatalogQuant;
  decode: number;
  contextTokens: number;
  quality: ReturnType<typeof qualityOf>;
}

/**
 * The best quant of a model that runs on the machine at the targets. Memory and decode come from
 * the same functions, with the same inputs, as compare's evaluation (a test holds them equal); the
 * full evaluation is made for the picks only.
 */
function bestRun(
  catalog: Catalog,
  device: CatalogDevice,
  model: CatalogModel,
  q: PlanQuery,
): { quant: CatalogQuant; decode: number; contextTokens: number } | null {
  if (q.contextTokens !== null && q.contextTokens > model.maxContext) return null;
  const wf = catalog.workflow(q.workflow)!;
  const contextTokens = q.contextTokens ?? Math.min(wf.defaultContextTokens, model.maxContext);
  const depthTokens = Math.min(wf.typicalPromptTokens, contextTokens);
  for (const wanted of ladderOf(catalog, model)) {
    const { quant } = quantForDevice(catalog, device, wanted);
    const memory = estimateMemory(device, model, quant, contextTokens);
    if (memory.fit === 'none' || (memory.fit === 'offload' && !q.allowOffload)) continue;
    const decode = decodeTokensPerSec(
      {
        device,
        model,
        weightsGB: memory.weightsGB,
        ...(memory.placement ? { placement: memory.placement } : {}),
        family: quant.family,
        depthTokens,
      },
      catalog.calibration,
    );
    if (decode < q.minTokensPerSec) continue;
    return { quant: wanted, decode, contextTokens };
  }
  return null;
}

/** compare's own evaluation of a pick, for its full figures. */
function evaluationOf(catalog: Catalog, device: CatalogDevice, c: Candidate, q: PlanQuery): DeviceEvaluation {
  const query = modelQuery(
    catalog,
    { model: c.model.id, quant: c.quant.id, contextTokens: c.contextTokens, workflow: q.workflow },
    { model: c.model, quant: c.quant },
    [device, device],
  );
  if (!query.ok) throw new Error(`plan: ${query.error.message}`);
  return evaluateDevice(catalog, device, c.model, c.quant, query.value.query);
}

const byQuality = (a: Candidate, b: Candidate) => {
  if (a.quality && b.quality) return b.quality.normalized - a.quality.normalized;
  if (a.quality) return -1;
  if (b.quality) return 1;
  // No score for either: the larger model first (more parameters active per token, as a rule, more capable).
  return b.model.activeParamsB - a.model.activeParamsB || b.model.paramsB - a.model.paramsB;
};

function pickOf(catalog: Catalog, device: CatalogDevice, c: Candidate, q: PlanQuery, position: number): PlanPick {
  const e = evaluationOf(catalog, device, c, q);
  const why = c.quality
    ? `${position === 0 ? 'The best' : 'Next best'} ${c.quality.quality.benchmark} score among what runs here at ${q.minTokensPerSec} tok/s or more${c.quality.quality.variant ? ` (${c.quality.quality.variant})` : ''}.`
    : `No public ${q.workflow} score in our data: ranked after the scored models, by size.`;
  return {
    model: { id: c.model.id, name: c.model.name, kind: 'llm' },
    quant: e.quant,
    contextTokens: c.contextTokens,
    fit: e.fit,
    decodeTokensPerSec: e.decodeTokensPerSec,
    decodeBand: e.decodeBand,
    prefillTokensPerSec: e.prefillTokensPerSec,
    timeToFirstTokenSec: e.timeToFirstTokenSec,
    memoryGB: e.memory.requiredGB,
    quality: c.quality?.quality ?? null,
    quantCost: quantCostOf(catalog, e.quant),
    why,
    // A Mac that holds it only above the default GPU memory limit says how to raise it first.
    run: `${e.memory.needsRaisedLimit && e.memory.sysctlTip ? `${e.memory.sysctlTip} && ` : ''}${runCommand(device, c.model, c.quant, c.contextTokens)}`,
  };
}

/** Every model the machine runs at the targets, best first. */
function candidatesFor(catalog: Catalog, device: CatalogDevice, q: PlanQuery): Candidate[] {
  const benchmarks = benchmarksFor(catalog, q.workflow);
  const out: Candidate[] = [];
  for (const model of catalog.models) {
    const run = bestRun(catalog, device, model, q);
    if (run) out.push({ model, ...run, quality: qualityOf(catalog, model, benchmarks) });
  }
  return out.sort(byQuality);
}

/** A plan for one or more machines; an error value for a machine it cannot read. */
export function plan(catalog: Catalog, rawInput: unknown): Result<Plan> {
  const parsed = PlanInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return err('INVALID_QUERY', issue.message, { hint: `Check ${issue.path.join('.') || 'the plan'}.` });
  }
  const input = parsed.data;
  const named = [...(input.current ? [input.current] : []), ...(input.devices ?? [])];
  const ids = named.length ? named : [DEFAULTS.device, DEFAULTS.against];
  const devices: CatalogDevice[] = [];
  for (const id of ids) {
    const d = resolveDevice(catalog, id);
    if (!d.ok) return d;
    if (!devices.some((x) => x.id === d.value.id)) devices.push(d.value);
  }
  const workflow: PlanWorkflow = input.workflow ?? 'chat';
  const q: PlanQuery = {
    workflow,
    contextTokens: input.contextTokens ?? null,
    minTokensPerSec: input.minTokensPerSec ?? catalog.speedBands().usable.value,
    budgetUSD: input.budgetUSD ?? null,
    allowOffload: input.allowOffload ?? false,
    limit: input.limit ?? 5,
    resaleUSD: input.resaleUSD ?? null,
    hoursPerDay: input.hoursPerDay ?? DEFAULTS.hoursPerDay,
    kwhPrice: input.kwhPrice ?? DEFAULTS.kwhPrice,
  };
  const all = devices.map((d) => plannedFor(catalog, d, q));
  const role = (i: number): PlanDevice['role'] => (input.current ? (i === 0 ? 'current' : 'candidate') : null);
  const planned: PlanDevice[] = all.map((x, i) => ({
    id: x.device.id,
    name: x.device.name,
    shortName: x.device.shortName,
    role: role(i),
    picks: x.picks,
    cannotRun: x.cannotRun,
    overBudget: q.budgetUSD !== null && x.device.record.priceUSD.low > q.budgetUSD,
  }));
  // What only one machine runs at all at these targets (the article's question from the other end).
  const runs = all.map((x) => new Set(x.ids));
  const onlyOn: Record<string, string[]> = {};
  if (all.length > 1)
    all.forEach((x, i) => {
      const only = x.ids.filter((id) => runs.every((set, j) => j === i || !set.has(id)));
      if (only.length) onlyOn[x.device.id] = only;
    });
  const upgrade = input.current ? upgradeOf(all, q) : null;
  const notes: string[] = [];
  if (!catalog.quality) notes.push('no quality scores are loaded: picks are ranked by size');
  notes.push(...targetNotes(catalog, q, all));
  const mentioned = [
    ...Object.values(onlyOn).flat(),
    ...(upgrade?.candidates.flatMap((c) => [...c.newlyInReach, ...c.faster.map((f) => f.model)]) ?? []),
  ];
  const nameOf = (id: string) => catalog.model(id)?.name ?? catalog.media.find((m) => m.id === id)?.name ?? id;
  const modelNames = Object.fromEntries(mentioned.map((id) => [id, nameOf(id)]));
  const made = { dataVersion: catalog.dataVersion, query: q, devices: planned, onlyOn, upgrade, modelNames, notes };
  return ok({ ...made, headline: planHeadline(made) });
}

/** One machine planned: its picks, every model it runs best first, and each one's speed for an upgrade. */
interface Planned {
  device: CatalogDevice;
  picks: PlanPick[];
  ids: string[];
  /** Decode tok/s (LLM workflows) or seconds per image or clip (media), by model id. */
  speed: Map<string, number>;
  cannotRun: number;
  /** Media models without a sourced denoiser shape, which no speed can be estimated for. */
  unestimated?: number;
}

function plannedFor(catalog: Catalog, device: CatalogDevice, q: PlanQuery): Planned {
  if (q.workflow === 'image' || q.workflow === 'video') {
    const m = mediaCandidates(catalog, device, q.workflow);
    return {
      device,
      picks: m.picks.slice(0, q.limit),
      ids: m.picks.map((p) => p.model.id),
      speed: new Map(m.picks.map((p) => [p.model.id, p.generation!.seconds])),
      cannotRun: m.cannotRun,
      unestimated: m.unestimated,
    };
  }
  if (q.workflow === 'fine-tune') {
    const benchmarks = benchmarksFor(catalog, 'chat');
    const f = fineTuneCandidates(catalog, device, q, (m) => qualityOf(catalog, m, benchmarks));
    return {
      device,
      picks: f.picks.slice(0, q.limit),
      ids: f.picks.map((p) => p.model.id),
      speed: new Map(),
      cannotRun: f.cannotRun,
    };
  }
  const candidates = candidatesFor(catalog, device, q);
  return {
    device,
    picks: candidates.slice(0, q.limit).map((c, k) => pickOf(catalog, device, c, q, k)),
    ids: candidates.map((c) => c.model.id),
    speed: new Map(candidates.map((c) => [c.model.id, c.decode])),
    cannotRun: catalog.models.length - candidates.length,
  };
}

/** What the picks were held to, in words. */
function targetNotes(catalog: Catalog, q: PlanQuery, all: Planned[]): string[] {
  if (q.workflow === 'image' || q.workflow === 'video') {
    const unit = q.workflow === 'video' ? 'clip' : 'image';
    const fit = catalog.diffusionCalibration;
    const unestimated = Math.max(0, ...all.map((x) => x.unestimated ?? 0));
    return [
      `${q.workflow} picks: the best precision whose whole pipeline fits (16-bit, FP8 except on Apple, then GGUF Q8_0 and Q4_K_M); seconds per ${unit} at the model's default steps and size, for the denoising loop${fit ? ` (diffusion model fitted on ${fit.points} measured runs, median error ${Math.round(fit.medianError.fit * 100)}% in the fit${fit.medianError.holdout !== null ? `, ${Math.round(fit.medianError.holdout * 100)}% held out` : ''})` : ' (no fit loaded: a generic efficiency)'}`,
      ...(unestimated
        ? [`${unestimated} ${q.workflow} models have no sourced denoiser shape yet and are not planned`]
        : []),
    ];
  }
  if (q.workflow === 'fine-tune')
    return [
      'fine-tune picks: LoRA in 16-bit where it fits, else QLoRA on 4-bit weights, dense models only; memory as the verdict sizes it (on CUDA 2,048-token sequences, micro-batch 2, with gradient checkpointing; elsewhere a rule of thumb), against every GPU of the machine; ranked by chat score; the verdict (compare --workflow fine-tune) gives hours per epoch',
    ];
  return [
    `picks run at ${q.minTokensPerSec} tok/s or more${q.allowOffload ? ', offload allowed' : ', all in GPU memory'}, in the best quant that does (Q8_0 down to IQ4_XS; 3- and 2-bit only for models of 100B or more)`,
  ];
}

function upgradeOf(all: Planned[], q: PlanQuery): Plan['upgrade'] {
  const [current, ...others] = all;
  if (!current) return null;
  const mine = new Set(current.ids);
  const unit: UpgradeCandidate['faster'][number]['unit'] = LLM_WORKFLOWS.includes(q.workflow)
    ? 'tok/s'
    : q.workflow === 'video'
      ? 's/clip'
      : 's/image';
  const candidates: UpgradeCandidate[] = others.map((other) => {
    const { device } = other;
    const faster = current.ids.slice(0, q.limit).flatMap((id) => {
      const from = current.speed.get(id);
      const to = other.speed.get(id);
      return from && to ? [{ model: id, from, to, unit }] : [];
    });
    const newlyInReach = other.ids.filter((id) => !mine.has(id));
    const price = device.record.priceUSD;
    const resale = q.resaleUSD;
    const yearly = (d: CatalogDevice) => (d.record.power.loadW.value / 1000) * q.hoursPerDay * 365 * q.kwhPrice;
    return {
      id: device.id,
      faster,
      newlyInReach,
      hardwareUSD: { low: price.low, high: price.high },
      netUSD: resale === null ? null : { low: Math.max(0, price.low - resale), high: Math.max(0, price.high - resale) },
      electricityPerYearUSD: [yearly(current.device), yearly(device)],
    };
  });
  return { from: current.device.id, candidates };
}
