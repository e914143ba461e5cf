/**
 * One device against one query: memory fit, decode and prefill speed with bands, image and video,
 * fine-tuning, workflow support, power and cost, and the reported figures that concern it.
 */
import type { ReportedFigure, SupportLevel } from '../catalog/schema.js';
import { publisherOf, type Catalog, type CatalogDevice, type CatalogQuant } from '../catalog/catalog.js';
import { estimateCost, type CostEstimate } from './cost.js';
import { FINE_TUNE_SUPPORT, fineTuneMemoryGB, type FineTuneMethod } from './finetune.js';
import { estimateMemory, gpuBudgetGB, longestContextThatFits, type MemoryEstimate } from './memory.js';
import { DEFAULTS, type NormalizedQuery } from '../query/query.js';
import { estimateDiffusion } from './diffusion.js';
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
  fineTune: { method: FineTuneMethod; memoryGB: number; fits: boolean; supported: boolean; tool: string }[];
  power: { loadW: number; idleW: Band; source: string };
  noise: { loadDbA: Band; summary: string };
  priceUSD: Band;
  priceDate: string;
  cost: CostEstimate;
  reported: ReportedFigure[];
}

const MLX_TO_GGUF: Record<string, string> = { 'MLX-4bit': 'Q4_K_M', 'MLX-8bit': 'Q8_0' };

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
    prefill: prefillTokensPerSec({ ...shared, depthTokens: 0, promptTokens: q.promptTokens }, params),
  };
}

function costOf(device: CatalogDevice, decode: number | null, q: NormalizedQuery) {
  const rec = device.record;
  return estimateCost({
    priceUSD: { low: rec.priceUSD.low, high: rec.priceUSD.high },
    loadW: rec.power.loadW.value,
    idleW: (rec.power.idleW.low + rec.power.idleW.high) / 2,
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

function trainingFits(catalog: Catalog, device: CatalogDevice, model: ModelSpec) {
  const budget = gpuBudgetGB(device);
  const usableForTraining = budget.raisedGB ?? budget.defaultGB;
  const fineTune = (['qlora', 'lora', 'full'] as FineTuneMethod[]).map((method) => {
    const memoryGB = fineTuneMemoryGB(model.paramsB, method);
    const s = FINE_TUNE_SUPPORT[device.backend][method];
    return { method, memoryGB, fits: memoryGB <= usableForTraining, supported: s.ok, tool: s.tool };
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
  const { fineTune, video } = trainingFits(catalog, device, model);
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
    power: {
      loadW: rec.power.loadW.value,
      idleW: { low: rec.power.idleW.low, high: rec.power.idleW.high },
      source: rec.power.loadW.source,
    },
    noise: { loadDbA: { low: rec.noise.loadDbA.low, high: rec.noise.loadDbA.high }, summary: rec.noise.summary },
    priceUSD: { low: rec.priceUSD.low, high: rec.priceUSD.high },
    priceDate: rec.priceDate,
    cost: costOf(device, decode, q),
    reported: [...catalog.reportedFor(device.id)],
  };
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
