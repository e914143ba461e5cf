/**
 * One device against one query: memory fit, decode and prefill speed with bands, image and video,
 * fine-tuning, workflow support, power and cost, and the reported figures that concern it.
 */
import type { ReportedFigure, SupportLevel } from '../catalog/schema.js';
import { chipOfMachine, publisherOf, type Catalog, type CatalogDevice, type CatalogQuant } from '../catalog/catalog.js';
import { estimateCost, type CostEstimate } from './cost.js';
import {
  activityPower,
  decodeBandwidthShare,
  decodeBytesPerTokenGB,
  POWER_ACTIVITIES,
  powerConflict,
  powerMachineOf,
  type ActivityPower,
  type PowerActivity,
  type PowerConflict,
} from './power.js';
import {
  estimateFineTuneSpeed,
  FINE_TUNE_SUPPORT,
  fineTuneMemoryGB,
  hoursPerEpoch,
  trainingTflops,
  type FineTuneMethod,
  type FineTuneRun,
} from './finetune.js';
import { maxConcurrency, servingEstimate, type ServingLevel, type ServingRuntime } from './serving.js';
import { estimateMemory, gpuBudgetGB, longestContextThatFits, type MemoryEstimate } from './memory.js';
import { DEFAULTS, type NormalizedQuery } from '../query/query.js';
import { estimateDiffusion } from './diffusion.js';
import { activeParamsWithEmbeddingB } from './weights.js';
import { decodeBand, decodeTokensPerSec, isCalibrated, prefillBand, prefillTokensPerSec } from './speed.js';
import type { Band, Basis, Fit, ModelSpec } from '../catalog/specs.js';

export type SpeedClass = 'realtime' | 'usable' | 'slow' | 'frustrating';

export interface ImageEstimate {
  id: string;
  name: string;
  steps: number;
  resolution: number;
  itsPerSec: Band | null;
  secondsPerImage: Band | null;
  /** The model's point estimate inside the band, where the diffusion model made it (the band is not symmetric). */
  seconds?: number;
  basis: Basis;
  /** Where the it/s comes from, e.g. "reported by Compute Market (seed), scaled to 1024 px". */
  basisNote: string;
  support: SupportLevel;
}

export interface DeviceEvaluation {
  id: string;
  name: string;
  shortName: string;
  backend: CatalogDevice['backend'];
  fit: Fit;
  memory: MemoryEstimate & { basis: Basis };
  /**
   * When the asked context does not fit in GPU memory: the longest that does, with the default f16
   * KV cache and with a q8_0 one (0 when the weights alone do not fit).
   */
  longestContext?: { f16: number; q8_0: number };
  /** The quant evaluated on this device (MLX names become their GGUF equivalent on CUDA). */
  quant: string;
  quantNote?: string;
  decodeTokensPerSec: number | null;
  decodeBand: Band | null;
  decodeBasis: Basis;
  prefillTokensPerSec: number | null;
  prefillBand: Band | null;
  prefillBasis: Basis;
  /** Time to first token for the query's prompt length. */
  timeToFirstTokenSec: number | null;
  /** Prompt + a typical answer, in seconds: the number an agent or RAG user feels. */
  secondsPerRequest: number | null;
  speedClass: SpeedClass | null;
  calibrated: boolean;
  workflowSupport: { level: SupportLevel; note: string };
  images: ImageEstimate[];
  video: { id: string; name: string; level: SupportLevel; note: string; fits: boolean }[];
  fineTune: FineTuneItem[];
  power: DevicePower;
  noise: { loadDbA: Band; summary: string };
  priceUSD: Band;
  priceDate: string;
  cost: CostEstimate;
  reported: ReportedFigure[];
  /** The fine-tuning run the speeds assume (fine-tuning questions only). */
  fineTuneRun?: FineTuneRunFacts;
  /** Several users at once (the serving workflow only). */
  serving?: ServingEvaluation;
  /**
   * On a Mac, the same model on the other runtime (MLX for a GGUF, llama.cpp for an MLX file), at
   * the nearest quant of that format; absent elsewhere or where it does not fit.
   */
  otherRuntime?: {
    runtime: 'MLX' | 'llama.cpp';
    quant: string;
    decodeTokensPerSec: number;
    prefillTokensPerSec: number;
  };
}

export interface FineTuneItem {
  method: FineTuneMethod;
  memoryGB: number;
  fits: boolean;
  supported: boolean;
  tool: string;
  /** Training tokens per second for `fineTuneRun` where the method fits and runs (else null). */
  tokensPerSec: number | null;
  tokensPerSecBand: Band | null;
  /** Hours for one pass over the dataset (`fineTuneRun.datasetTokens`), low to high with the band. */
  hoursPerEpoch: number | null;
  hoursPerEpochBand: Band | null;
}

/** The run behind the fine-tuning speeds: sequence, batch, and the dataset (stated, or the default). */
export interface FineTuneRunFacts {
  seqLen: number;
  microBatch: number;
  gradAccum: number;
  datasetTokens: number;
  datasetStated: boolean;
}

export interface ServingEvaluation {
  /** vLLM on CUDA; llama.cpp's llama-server with parallel slots elsewhere (fitted on both). */
  runtime: ServingRuntime;
  /** The window each user keeps (memory) and the depth a step reads (prompt and half an answer). */
  contextTokens: number;
  depthTokens: number;
  /** 1, 4, 16 and 64 users; empty when the model is not wholly in GPU memory. */
  levels: ServingLevel[];
  /** The most users whose KV caches fit beside the weights (0 when the weights alone do not fit). */
  maxConcurrency: number;
  /** The level the answer names: the most users that fit with each at a usable speed. */
  served: ServingLevel | null;
}

/** The machine's draw: the rated or seed figure, and watts at the wall by activity (physics/power.ts). */
export interface DevicePower {
  /** The catalog's load figure (the seed's "725 W" for the RTX 5090 build, else the rating plus a host). */
  loadW: number;
  idleW: Band;
  source: string;
  /** At the wall, by activity: the machine's own published reading when there is one, else the fitted model. */
  activities: Record<PowerActivity, ActivityPower>;
  /**
   * What the hours of use draw for the workflow: an LLM request's prefill and decode weighted by
   * their share of its time, image or video generation, or training.
   */
  inUse: { watts: number; band: Band; shares: Partial<Record<PowerActivity, number>> };
  /** The seed's reported load figure set against the model's full-load (prefill) band, with its source key. */
  reported?: PowerConflict & { source: string; subject: string };
}

const MLX_TO_GGUF: Record<string, string> = {
  'MLX-4bit': 'Q4_K_M',
  'MLX-4bit-DWQ': 'Q4_K_M',
  'MLX-6bit': 'Q6_K',
  'MLX-8bit': 'Q8_0',
};

export function speedClassOf(catalog: Catalog, tps: number): SpeedClass {
  const b = catalog.speedBands();
  if (tps >= b.realtime.value) return 'realtime';
  if (tps >= b.usable.value) return 'usable';
  if (tps >= b.frustrating.value) return 'slow';
  return 'frustrating';
}

/** The quant a device can actually run: MLX formats exist only on Apple. */
export function quantForDevice(
  catalog: Catalog,
  device: CatalogDevice,
  quant: CatalogQuant,
): { quant: CatalogQuant; note?: string } {
  if (quant.backends.includes(device.backend)) return { quant };
  const alt = catalog.quant(MLX_TO_GGUF[quant.id] ?? 'Q4_K_M')!;
  return {
    quant: alt,
    note: `${quant.name} does not run on ${device.backend.toUpperCase()}; evaluated as ${alt.name}, its closest GGUF.`,
  };
}

/** Decode and prefill tok/s where the model fits at all (null where it does not). */
function speedsOf(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  quant: CatalogQuant,
  memory: MemoryEstimate,
  q: NormalizedQuery,
) {
  if (memory.fit === 'none') return { decode: null, prefill: null };
  const shared = {
    device,
    model,
    weightsGB: memory.weightsGB,
    ...(memory.placement ? { placement: memory.placement } : {}),
  };
  const params = catalog.calibration;
  return {
    decode: decodeTokensPerSec(
      { ...shared, family: quant.family, depthTokens: q.depthTokens, kvType: q.kvCache },
      params,
    ),
    prefill: prefillTokensPerSec(
      { ...shared, family: quant.family, depthTokens: 0, promptTokens: q.promptTokens },
      params,
    ),
  };
}

/** What each hour of use draws: the workflow's activity, or an LLM request's two phases by their time. */
function inUseShares(
  q: NormalizedQuery,
  ttft: number | null,
  decode: number | null,
): Partial<Record<PowerActivity, number>> {
  if (q.workflow === 'image') return { image: 1 };
  if (q.workflow === 'video') return { video: 1 };
  if (q.workflow === 'fine-tune' || q.workflow === 'training') return { training: 1 };
  if (!decode) return { decode: 1 };
  const decoding = DEFAULTS.answerTokens / decode;
  const prefill = (ttft ?? 0) / (decoding + (ttft ?? 0));
  return prefill > 0 ? { prefill, decode: 1 - prefill } : { decode: 1 };
}

/**
 * Offload: the share of each token's time the GPU works (decode if it all sat on the GPU, over
 * decode as placed); 1 when nothing is offloaded.
 */
function gpuBusyShare(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  quant: CatalogQuant,
  memory: MemoryEstimate,
  q: NormalizedQuery,
  decode: number | null,
): number {
  if (!memory.placement || decode === null) return 1;
  const allOnGpu = decodeTokensPerSec(
    { device, model, weightsGB: memory.weightsGB, family: quant.family, depthTokens: q.depthTokens, kvType: q.kvCache },
    catalog.calibration,
  );
  return Math.min(1, decode / allOnGpu);
}

/** What a desktop CPU adds at the wall while it streams offloaded weights from RAM (an estimate). */
export const OFFLOAD_CPU_W = 60;

/**
 * An offloaded decode: the GPU works only its share of each token and waits on host RAM for the
 * rest, while the CPU does the host layers' matmuls. The GPU's rise above idle scales with its
 * busy share; the CPU adds OFFLOAD_CPU_W.
 */
function offloadedDecode(p: ActivityPower, idle: ActivityPower, busy: number): ActivityPower {
  const at = (w: number, i: number) => i + (w - i) * busy + OFFLOAD_CPU_W;
  return {
    ...p,
    watts: at(p.watts, idle.watts),
    band: { low: at(p.band.low, idle.band.low), high: at(p.band.high, idle.band.high) },
    basis: 'estimate',
    note: `${p.note}${p.note ? '; ' : ''}offload: the GPU works ~${Math.round(busy * 100)}% of each token and waits on system RAM the rest; the CPU adds ~${OFFLOAD_CPU_W} W (estimate)`,
  };
}

function powerOf(
  catalog: Catalog,
  device: CatalogDevice,
  q: NormalizedQuery,
  ttft: number | null,
  decode: number | null,
  gpuBusy: number,
  run: { model: ModelSpec; quant: CatalogQuant; weightsGB: number },
): DevicePower {
  const rec = device.record;
  // The chip's bandwidth over its compute sets what decode's stream costs of its rating.
  const machine = powerMachineOf(
    rec,
    chipOfMachine(catalog, device.id)?.powerW,
    catalog.powerReadings(device.id),
    device,
  );
  // Decode draws as much as the bandwidth it uses; offloaded, the GPU's share while it works (decode / busy).
  const decodeShare = decodeBandwidthShare(
    decode === null ? null : decode / Math.max(gpuBusy, 1e-6),
    decodeBytesPerTokenGB(run.model, run.weightsGB, run.quant.family, q.depthTokens, q.kvCache),
    device.bandwidthGBs,
  );
  const activities = Object.fromEntries(
    POWER_ACTIVITIES.map((a) => [a, activityPower(machine, a, catalog.power, { decodeShare })]),
  ) as Record<PowerActivity, ActivityPower>;
  if (gpuBusy < 1) activities.decode = offloadedDecode(activities.decode, activities.idle, gpuBusy);
  const shares = inUseShares(q, ttft, decode);
  const weighed = (f: (p: ActivityPower) => number) =>
    Object.entries(shares).reduce((sum, [a, w]) => sum + w * f(activities[a as PowerActivity]), 0);
  // The seed's "load" is the machine working flat out: the model's prefill (compute-bound) band.
  const seed = catalog.reportedFor(device.id).find((r) => r.metric === 'power-w' && r.subject === 'system-load');
  return {
    loadW: rec.power.loadW.value,
    idleW: { low: rec.power.idleW.low, high: rec.power.idleW.high },
    source: rec.power.loadW.source,
    activities,
    inUse: {
      watts: weighed((p) => p.watts),
      band: { low: weighed((p) => p.band.low), high: weighed((p) => p.band.high) },
      shares,
    },
    ...(seed && seed.low !== null
      ? { reported: { ...powerConflict(seed.low, activities.prefill), source: seed.source, subject: seed.subject } }
      : {}),
  };
}

function costOf(device: CatalogDevice, power: DevicePower, decode: number | null, q: NormalizedQuery) {
  const rec = device.record;
  return estimateCost({
    priceUSD: { low: rec.priceUSD.low, high: rec.priceUSD.high },
    inUseW: power.inUse.watts,
    decodeW: power.activities.decode.watts,
    idleW: power.activities.idle.watts,
    hoursPerDay: q.hoursPerDay,
    kwhPrice: q.kwhPrice,
    years: q.years,
    tokensPerSec: decode,
    tokensPerDay: q.tokensPerDay,
    apiPricePerMTok: q.apiPricePerMTok,
  });
}

/** Fine-tuning methods and video workloads: what fits the memory a training run may use. */
/** The diffusion model's estimate of one image workload, or undefined without a shape, a fit or support. */
function diffusionImage(
  catalog: Catalog,
  device: CatalogDevice,
  img: ReturnType<Catalog['imageWorkloads']>[number],
  steps: number,
  resolution: number,
): ImageEstimate | undefined {
  const support = img.support[device.backend]?.level ?? 'none';
  const media = catalog.media.find((m) => m.workload === img.id);
  const g = media && catalog.generation(media.id);
  const fit = catalog.diffusionCalibration;
  if (!media || !g || !fit || support === 'none') return undefined;
  const est = estimateDiffusion(
    g,
    media.paramsB.value,
    { steps, width: resolution, height: resolution },
    device,
    catalog.diffusion,
  );
  const own = img.itsPerDevice[device.id];
  const held = fit.medianError.holdout;
  const reported = own
    ? `; the seed reports ${own.low === own.high ? own.low : `${own.low}-${own.high}`} it/s at ${img.baseResolution}px`
    : '';
  return {
    id: img.id,
    name: img.name,
    steps,
    resolution,
    itsPerSec: { low: steps / est.band.high, high: steps / est.band.low },
    secondsPerImage: est.band,
    seconds: est.seconds,
    basis: 'estimate',
    basisNote: `estimate: the diffusion model (FLOPs per step on ${device.fp16Tflops} FP16 TFLOPS), fitted on ${fit.points} measured runs${held !== null ? `, median error ${Math.round(held * 100)}% held out` : ''}${reported}`,
    support,
  };
}

/**
 * The run a fine-tuning speed assumes when the user states none: 2,048-token sequences, micro-batch
 * 2, 4 accumulation steps (the defaults of Unsloth's example notebooks), over the stated or default dataset.
 */
export const DEFAULT_FINE_TUNE_RUN = { seqLen: 2048, microBatch: 2, gradAccum: 4 } as const;

function fineTuneRunOf(q: NormalizedQuery): FineTuneRunFacts {
  return {
    ...DEFAULT_FINE_TUNE_RUN,
    datasetTokens: q.datasetTokens ?? DEFAULTS.datasetTokens,
    datasetStated: q.datasetTokens !== null,
  };
}

/** Training speed and hours per epoch where the method fits and its tooling runs. */
function fineTuneSpeed(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  method: FineTuneMethod,
  facts: FineTuneRunFacts,
) {
  const run: FineTuneRun = {
    method,
    paramsB: model.paramsB,
    // A MoE token runs through its routed experts only (finetune.ts), counted with the input
    // embedding as the run expects (gpt-oss states its count without it); dense: the same count.
    activeParamsB: activeParamsWithEmbeddingB(model),
    seqLen: facts.seqLen,
    microBatch: facts.microBatch,
    gradAccum: facts.gradAccum,
    ...trainingShapeOf(model),
  };
  const est = estimateFineTuneSpeed(
    run,
    { backend: device.backend, trainingTflops: trainingTflops(device), bandwidthGBs: device.bandwidthGBs },
    catalog.fineTune,
  );
  return {
    tokensPerSec: est.tokensPerSec,
    tokensPerSecBand: est.band,
    hoursPerEpoch: hoursPerEpoch(facts.datasetTokens, est.tokensPerSec),
    hoursPerEpochBand: {
      low: hoursPerEpoch(facts.datasetTokens, est.band.high),
      high: hoursPerEpoch(facts.datasetTokens, est.band.low),
    },
  };
}

/** The model's own layers, embedding, tying and head size for the training model; guessed shapes are left to it. */
function trainingShapeOf(model: ModelSpec): Partial<FineTuneRun> {
  if (model.architectureEstimated) return {};
  return {
    layers: model.layers,
    embeddingParamsB: model.embeddingParamsB,
    tiedEmbeddings: model.tiedEmbeddings,
    headDim: model.headDim,
  };
}

/**
 * What a method holds in memory for this run, for the verdict and the planner alike. On CUDA: the
 * weights, optimizer and gradients, and the activations of the run's sequences (its length and
 * micro-batch), LoRA and QLoRA being Unsloth's, whose fused loss holds no logits, and full
 * fine-tuning PyTorch's (finetune.ts's model, checked against torchtune's measured peaks). Elsewhere
 * the rule of thumb stays: on a Mac, mlx-lm holds each layer's full attention scores, so its memory
 * follows the data's real sequence lengths (WikiSQL's ~80 tokens, not the 2,048 assumed here) and at
 * 2,048 it would rule out the 8B LoRA people run on 16 GB Macs; on ROCm no measured peak checks the
 * model, and PEFT there holds every token's 32-bit logits, which at 2,048 x 2 tokens would refuse a
 * 12B QLoRA on a 16 GB card.
 */
export function trainingMemoryGB(
  device: { backend: CatalogDevice['backend'] },
  model: ModelSpec,
  method: FineTuneMethod,
  facts?: Pick<FineTuneRunFacts, 'seqLen' | 'microBatch' | 'gradAccum'>,
): number {
  const run = facts ?? DEFAULT_FINE_TUNE_RUN;
  if (device.backend !== 'cuda') return fineTuneMemoryGB(model.paramsB, method);
  return fineTuneMemoryGB(
    model.paramsB,
    method,
    {
      seqLen: run.seqLen,
      microBatch: run.microBatch,
      gradAccum: run.gradAccum,
      activeParamsB: activeParamsWithEmbeddingB(model),
      ...trainingShapeOf(model),
      fusedLoss: method !== 'full',
    },
    device.backend,
  );
}

/**
 * The memory a training run may use: every GPU's (LoRA and QLoRA shard across cards, as FSDP + QLoRA
 * fits a 70B on two 24 GB cards), raised on a Mac. The verdict and the planner both use it.
 */
export function trainingBudgetGB(device: CatalogDevice): number {
  const budget = gpuBudgetGB(device);
  return budget.raisedGB ?? budget.defaultGB;
}

const NO_SPEED = { tokensPerSec: null, tokensPerSecBand: null, hoursPerEpoch: null, hoursPerEpochBand: null };

function trainingFits(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  run: FineTuneRunFacts | undefined,
): { fineTune: FineTuneItem[]; video: DeviceEvaluation['video'] } {
  const usableForTraining = trainingBudgetGB(device);
  const fineTune = (['qlora', 'lora', 'full'] as FineTuneMethod[]).map((method) => {
    const memoryGB = trainingMemoryGB(device, model, method, run);
    const s = FINE_TUNE_SUPPORT[device.backend][method];
    const fits = memoryGB <= usableForTraining;
    const speed = run && fits && s.ok ? fineTuneSpeed(catalog, device, model, method, run) : NO_SPEED;
    return { method, memoryGB, fits, supported: s.ok, tool: s.tool, ...speed };
  });
  const video = catalog.videoWorkloads().map((v) => {
    const s = v.support[device.backend];
    return {
      id: v.id,
      name: v.name,
      level: s?.level ?? 'none',
      note: s?.note ?? '',
      fits: v.minMemoryGB.value <= usableForTraining,
    };
  });
  return { fineTune, video };
}

export function evaluateDevice(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  requestedQuant: CatalogQuant,
  q: NormalizedQuery,
): DeviceEvaluation {
  const params = catalog.calibration;
  const { quant, note: quantNote } = quantForDevice(catalog, device, requestedQuant);
  const memory = estimateMemory(device, model, quant, q.contextTokens, q.kvCache);
  const longest =
    memory.fit !== 'gpu'
      ? {
          f16: longestContextThatFits(device, model, quant, 'f16'),
          q8_0: longestContextThatFits(device, model, quant, 'q8_0'),
        }
      : undefined;
  const { decode, prefill } = speedsOf(catalog, device, model, quant, memory, q);
  const ttft = prefill ? q.promptTokens / prefill : null;
  const perRequest = decode && ttft !== null ? ttft + DEFAULTS.answerTokens / decode : null;
  const rec = device.record;
  const workflow = catalog.workflow(q.workflow);
  const support = workflow?.support[device.backend] ?? { level: 'none' as const, note: 'unknown workflow' };
  const run = q.workflow === 'fine-tune' ? fineTuneRunOf(q) : undefined;
  const { fineTune, video } = trainingFits(catalog, device, model, run);
  const power = powerOf(
    catalog,
    device,
    q,
    ttft,
    decode,
    gpuBusyShare(catalog, device, model, quant, memory, q, decode),
    { model, quant, weightsGB: memory.weightsGB },
  );
  const serving = q.workflow === 'serving' ? servingOf(catalog, device, model, quant, memory, q) : undefined;
  // A server's energy and capacity come from the tokens all its users get, not one stream's.
  const producing = serving?.served?.aggregateTokensPerSec ?? decode;
  return {
    id: device.id,
    name: device.name,
    shortName: device.shortName,
    backend: device.backend,
    fit: memory.fit,
    memory: { ...memory, basis: 'estimate' },
    ...(longest ? { longestContext: longest } : {}),
    quant: quant.id,
    ...(quantNote ? { quantNote } : {}),
    decodeTokensPerSec: decode,
    decodeBand: decode ? decodeBand(decode, params, memory.fit === 'offload') : null,
    decodeBasis: 'estimate',
    prefillTokensPerSec: prefill,
    prefillBand: prefill ? prefillBand(prefill, params) : null,
    prefillBasis: 'estimate',
    timeToFirstTokenSec: ttft,
    secondsPerRequest: perRequest,
    speedClass: decode ? speedClassOf(catalog, decode) : null,
    calibrated: isCalibrated(params, device.backend),
    workflowSupport: support,
    images: imageEstimates(catalog, device, q),
    video,
    fineTune,
    power,
    noise: { loadDbA: { low: rec.noise.loadDbA.low, high: rec.noise.loadDbA.high }, summary: rec.noise.summary },
    priceUSD: { low: rec.priceUSD.low, high: rec.priceUSD.high },
    priceDate: rec.priceDate,
    cost: costOf(device, power, producing, q),
    reported: [...catalog.reportedFor(device.id)],
    ...(run ? { fineTuneRun: run } : {}),
    ...(serving ? { serving } : {}),
    ...otherRuntimeOf(catalog, device, model, quant, q),
  };
}

const GGUF_TO_MLX: Record<string, string> = {
  Q4_K_M: 'MLX-4bit',
  Q4_0: 'MLX-4bit',
  Q6_K: 'MLX-6bit',
  Q8_0: 'MLX-8bit',
};

/** The Mac's other runtime for the same model: MLX against llama.cpp, each at its own file size. */
function otherRuntimeOf(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  quant: CatalogQuant,
  q: NormalizedQuery,
): Pick<DeviceEvaluation, 'otherRuntime'> {
  if (device.backend !== 'metal' || !catalog.calibration.runtimes?.mlx) return {};
  const otherId = quant.family === 'mlx' ? MLX_TO_GGUF[quant.id] : GGUF_TO_MLX[quant.id];
  const other = otherId ? catalog.quant(otherId) : undefined;
  if (!other) return {};
  const memory = estimateMemory(device, model, other, q.contextTokens, q.kvCache);
  const { decode, prefill } = speedsOf(catalog, device, model, other, memory, q);
  if (decode === null || prefill === null) return {};
  return {
    otherRuntime: {
      runtime: other.family === 'mlx' ? 'MLX' : 'llama.cpp',
      quant: other.id,
      decodeTokensPerSec: decode,
      prefillTokensPerSec: prefill,
    },
  };
}

/**
 * Several users at once: the batched decode at 1, 4, 16 and 64 users, each keeping the query's
 * context, generating at the depth of its prompt and half an answer. Only a model wholly in GPU
 * memory is served this way (an offloaded one is not worth batching).
 */
function servingOf(
  catalog: Catalog,
  device: CatalogDevice,
  model: ModelSpec,
  quant: CatalogQuant,
  memory: MemoryEstimate,
  q: NormalizedQuery,
): ServingEvaluation {
  const runtime: ServingRuntime = device.backend === 'cuda' ? 'vllm' : 'llama.cpp';
  const depthTokens = Math.min(q.contextTokens, q.promptTokens + DEFAULTS.answerTokens / 2);
  const most = maxConcurrency(device, model, memory.weightsGB, q.contextTokens, q.kvCache);
  if (memory.fit !== 'gpu')
    return { runtime, contextTokens: q.contextTokens, depthTokens, levels: [], maxConcurrency: 0, served: null };
  const levels = servingEstimate(
    {
      device,
      model,
      weightsGB: memory.weightsGB,
      family: quant.family,
      depthTokens,
      kvType: q.kvCache,
      runtime,
      contextTokens: q.contextTokens,
    },
    catalog.calibration,
    catalog.serving,
  );
  const usable = catalog.speedBands().usable.value;
  const fitting = levels.filter((l) => l.fits);
  const served = [...fitting].reverse().find((l) => l.perUserTokensPerSec >= usable) ?? fitting[0] ?? null;
  return { runtime, contextTokens: q.contextTokens, depthTokens, levels, maxConcurrency: most, served };
}

/**
 * Diffusion speed: the fitted diffusion model (physics/diffusion.ts) where the workload's model has
 * a sourced denoiser shape, with the seed's reported figure named beside it; else the reported it/s
 * where a source gives it for this device, else the same backend's reference device's figure scaled
 * by FP16 throughput. Pixel count scales the reported work per step by (base / resolution)^2.
 */
function imageEstimates(catalog: Catalog, device: CatalogDevice, q: NormalizedQuery): ImageEstimate[] {
  return catalog.imageWorkloads().map((img) => {
    const steps = q.imageSteps ?? img.defaultSteps;
    const resolution = q.imageResolution ?? img.defaultResolution;
    const modelled = diffusionImage(catalog, device, img, steps, resolution);
    if (modelled) return modelled;
    const pixelScale = (img.baseResolution / resolution) ** 2;
    const support = img.support[device.backend]?.level ?? 'none';
    const own = img.itsPerDevice[device.id];
    let its: Band | null = null;
    let basis: Basis = 'estimate';
    let basisNote = 'no public figure for this device';
    if (own) {
      its = { low: own.low * pixelScale, high: own.high * pixelScale };
      basis = 'reported';
      const src = catalog.source('workflows', own.source);
      basisNote = `reported by ${src && src !== 'estimate' ? publisherOf(src.title) : own.source} at ${img.baseResolution}px${resolution !== img.baseResolution ? `, scaled to ${resolution}px` : ''}`;
    } else if (support !== 'none') {
      const ref = Object.entries(img.itsPerDevice)
        .map(([id, r]) => ({ d: catalog.device(id), r }))
        .find((x) => x.d && x.d.backend === device.backend && x.d.id !== device.id);
      if (ref && ref.d) {
        const k = (device.fp16Tflops * device.gpus > 0 ? device.fp16Tflops : 0) / ref.d.fp16Tflops;
        its = { low: ref.r.low * pixelScale * k, high: ref.r.high * pixelScale * k };
        basisNote = `estimate: ${ref.d.shortName}'s reported figure scaled by FP16 throughput`;
      }
    }
    return {
      id: img.id,
      name: img.name,
      steps,
      resolution,
      itsPerSec: its,
      secondsPerImage: its ? { low: steps / its.high, high: steps / its.low } : null,
      basis,
      basisNote,
      support,
    };
  });
}
