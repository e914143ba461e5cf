/**
 * Fits the speed model's per-backend parameters on measured runs. Pure: the calibrate script
 * reads the CSV and writes the result; tests call this directly on literal points.
 *
 * The model has few parameters on purpose (efficiency, a per-layer fixed cost, a per-kernel-family
 * factor, one KV factor), so it extrapolates from 7B runs to 70B by physics, not by lookup.
 */
import type { Backend, CalibrationFile } from '../catalog/schema.js';
import { decodeSecondsPerToken, prefillTokensPerSec, type PrefillInput, type SpeedParams } from './speed.js';
import type { ModelSpec, QuantFamily } from '../catalog/specs.js';

export interface CalibrationPoint {
  device: string;
  backend: Backend;
  bandwidthGBs: number;
  fp16Tflops: number;
  model: ModelSpec;
  weightsGB: number;
  family: QuantFamily;
  metric: 'tg' | 'pp';
  depthTokens: number;
  /** Prefill: the prompt's length (pp512: 512). */
  promptTokens?: number;
  /** Prefill: the micro-batch the run states (llama-bench -ub 2048); absent: the runtime's default. */
  microBatch?: number;
  value: number;
  /**
   * Measured on a build from before its backend's fixed-cost change (FIXED_COST_CHANGES): on CUDA,
   * before llama.cpp launched each token's kernels as one CUDA graph (PR #6766, May 2024), so every
   * kernel paid its own launch; on Metal, before its command encoding overhead was cut (PR #9698,
   * October 2024).
   */
  launchBound?: boolean;
  /** Measured on a build from before its backend's prompt-kernel change (PROMPT_KERNEL_CHANGES). */
  olderPromptKernels?: boolean;
  /** Prefill: FlashAttention off (stated, or a build before it was llama.cpp's default); absent: on. */
  flashAttention?: boolean;
  /** An Apple device's generation ("m1" ... "m5"), as its name says. */
  generation?: string;
  /** Where the run was published: runs of one source are one measurement setup. */
  source?: string;
}

type DecodeParams = NonNullable<CalibrationFile['decode']['cuda']>;

/** Host-side offload parameters before `fitOffload` has seen offload runs. */
export const FIXED_HOST_EFFICIENCY = 0.65;
/**
 * Physical bounds on the fit. Measured streaming never exceeds ~95% of spec bandwidth; without the
 * bound the small-model runs of newer builds would buy speed with an impossible efficiency that
 * then over-predicts 70B models. The KV factor is fitted on one device's depth runs (two small
 * models), so it is held to the 1-2.5x that attention kernels show in public long-context runs.
 */
export const MAX_STREAM_EFFICIENCY = 0.95;
export const MAX_KV_READ_FACTOR = 2.5;

function predictDecode(
  pt: CalibrationPoint,
  p: DecodeParams,
  kvReadFactor: number,
  launchBoundPerLayerMs?: number,
): number {
  const earlier = pt.launchBound && launchBoundPerLayerMs !== undefined;
  const own = earlier ? { ...p, perLayerMs: launchBoundPerLayerMs } : p;
  const params: SpeedParams = {
    decode: { [pt.backend]: own },
    prefill: {},
    hostEfficiency: FIXED_HOST_EFFICIENCY,
    kvReadFactor,
    residuals: emptyResiduals(),
  };
  return (
    1 /
    decodeSecondsPerToken(
      {
        // An earlier build's per-layer cost is every generation's. (One object shape for every point:
        // the fit calls this in its hot loop.)
        device: { backend: pt.backend, bandwidthGBs: pt.bandwidthGBs, generation: earlier ? undefined : pt.generation },
        model: pt.model,
        weightsGB: pt.weightsGB,
        family: pt.family,
        depthTokens: pt.depthTokens,
      },
      params,
    )
  );
}

function emptyResiduals(): CalibrationFile['residuals'] {
  return {
    decodeMedianAbsPct: 0,
    decodeP90AbsPct: 0,
    decodeWithin30Pct: 0,
    decodeHoldoutMedianAbsPct: 0,
    decodeHoldoutWithin30Pct: 0,
    prefillMedianAbsPct: 0,
    decodeBand: { low: 0, high: 0 },
    prefillBand: { low: 0, high: 0 },
  };
}

/** Minimizes a unimodal function on [lo, hi] by golden-section search. */
function goldenMin(f: (x: number) => number, lo: number, hi: number, iterations = 40): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  for (let i = 0; i < iterations; i++) {
    if (f(c) < f(d)) b = d;
    else a = c;
    c = b - r * (b - a);
    d = a + r * (b - a);
  }
  return (a + b) / 2;
}

function sq(x: number) {
  return x * x;
}

export interface DecodeFit {
  decode: Record<string, DecodeParams>;
  kvReadFactor: number;
  /**
   * Per-layer cost of runs on earlier builds (see `launchBound`), per backend: fitted so that those
   * runs inform the streaming efficiency without setting today's fixed cost. Stored as
   * `earlierBuildPerLayerMs` for checks against runs of a stated build; answers are for current builds.
   */
  launchBoundPerLayerMs: Record<string, number>;
}

/** Families always fitted relative to float (F16/BF16 = 1). */
const FITTED_FAMILIES: QuantFamily[] = ['legacy', 'k-quant'];

/** MLX files run on MLX's kernels, fitted apart (fitMlx): the llama.cpp fit leaves them out. */
const llamaCpp = (points: CalibrationPoint[]) => points.filter((p) => p.family !== 'mlx');

export function fitDecode(points: CalibrationPoint[]): DecodeFit {
  const tg = llamaCpp(points).filter((p) => p.metric === 'tg');
  const backends = [...new Set(tg.map((p) => p.backend))];
  const decode: Record<string, DecodeParams> = {};
  for (const b of backends) decode[b] = { efficiency: 0.8, perLayerMs: 0.1, familyFactor: {} };
  const launchBound: Record<string, number> = {};
  // Only where both kinds of build were measured can the two per-layer costs be told apart.
  for (const b of backends)
    if (tg.some((p) => p.backend === b && p.launchBound) && tg.some((p) => p.backend === b && !p.launchBound))
      launchBound[b] = 0.1;
  let kvReadFactor = 1.5;
  const depthPairs = depthPairsOf(tg);

  const predict = (pt: CalibrationPoint) =>
    predictDecode(pt, decode[pt.backend]!, kvReadFactor, launchBound[pt.backend]);
  const loss = () => tg.reduce((s, pt) => s + sq(Math.log(predict(pt) / pt.value)), 0);

  for (let sweep = 0; sweep < 25; sweep++) {
    for (const b of backends) {
      const p = decode[b]!;
      p.efficiency = goldenMin((x) => ((p.efficiency = x), loss()), 0.3, MAX_STREAM_EFFICIENCY);
      p.perLayerMs = goldenMin((x) => ((p.perLayerMs = x), loss()), 0, 0.5);
      if (launchBound[b] !== undefined) launchBound[b] = goldenMin((x) => ((launchBound[b] = x), loss()), 0, 0.5);
      for (const fam of FITTED_FAMILIES) {
        if (!tg.some((pt) => pt.backend === b && pt.family === fam)) continue;
        // No kernel family streams faster than MAX_STREAM_EFFICIENCY of the spec bandwidth.
        const lo = p.efficiency / MAX_STREAM_EFFICIENCY;
        p.familyFactor[fam] = goldenMin((x) => ((p.familyFactor[fam] = x), loss()), lo, 2.0);
      }
      // MXFP4 runs are fitted with the factor they will be answered with (legacy's, borrowed below).
      if (p.familyFactor['legacy'] !== undefined && tg.some((pt) => pt.backend === b && pt.family === 'mxfp4'))
        p.familyFactor['mxfp4'] = p.familyFactor['legacy'];
    }
    // The KV factor is fitted on how much each run slows down at depth against the same device,
    // model and quant near depth 0, and on nothing else: fitted on the total loss it became a knob
    // that slowed every run (it reached the 2.5 bound while the depth runs themselves show ~1.1).
    if (depthPairs.length) {
      const kvLoss = () =>
        depthPairs.reduce((sum, [shallow, deep]) => {
          const p = decode[deep.backend]!;
          const lb = launchBound[deep.backend];
          const predicted = predictDecode(shallow, p, kvReadFactor, lb) / predictDecode(deep, p, kvReadFactor, lb);
          return sum + sq(Math.log(predicted / (shallow.value / deep.value)));
        }, 0);
      kvReadFactor = goldenMin((x) => ((kvReadFactor = x), kvLoss()), 1, MAX_KV_READ_FACTOR);
    }
  }
  fitGenerations(tg, decode, loss);
  // Families without runs of their own borrow the nearest kernel family's factor.
  for (const p of Object.values(decode)) {
    const f = p.familyFactor;
    if (f['k-quant'] !== undefined) f['i-quant'] ??= f['k-quant'];
    if (f['legacy'] !== undefined) f['mxfp4'] = f['legacy'];
    for (const k of Object.keys(f)) f[k] = round(f[k]!, 4);
    p.efficiency = round(p.efficiency, 4);
    p.perLayerMs = round(p.perLayerMs, 4);
  }
  for (const b of Object.keys(launchBound)) launchBound[b] = round(launchBound[b]!, 4);
  return { decode, kvReadFactor: round(kvReadFactor, 4), launchBoundPerLayerMs: launchBound };
}

/**
 * What an Apple generation needs before it gets a per-layer cost of its own: current-build runs from
 * this many sources. One setup's runs can be off together: llmfit's M4 Pro rows time whole requests
 * of 7-8B models and would give the M4 0.04 ms a layer, against ~0.1 that M4 Max runs of
 * MoE models measured elsewhere need.
 */
export const MIN_GENERATION_SOURCES = 2;

/**
 * Apple GPUs of different generations pay different fixed costs per kernel: on builds of late 2024
 * an M1 Pro pays ~0.2 ms a layer, an M2 Ultra ~0.13, an M4 ~0.04-0.1. The shared per-layer cost is
 * fitted on every current build's runs, the M1's and M2's included; then each generation with
 * current-build runs of its own, from MIN_GENERATION_SOURCES sources, gets its own, every other
 * parameter held. A generation without them (today the M3, M4 and M5) takes the shared cost: what
 * current builds cost across the chips measured, not what its own few runs alone would give.
 */
function fitGenerations(tg: CalibrationPoint[], decode: Record<string, DecodeParams>, loss: () => number): void {
  for (const [b, p] of Object.entries(decode)) {
    const own = (g: string) => tg.filter((pt) => pt.backend === b && pt.generation === g && !pt.launchBound);
    const generations = [...new Set(tg.map((pt) => pt.generation).filter((g): g is string => g !== undefined))]
      .filter((g) => new Set(own(g).map((pt) => pt.source)).size >= MIN_GENERATION_SOURCES)
      .sort();
    if (!generations.length) continue;
    const byGeneration: Record<string, number> = {};
    p.perLayerMsByGeneration = byGeneration;
    for (const g of generations) {
      byGeneration[g] = p.perLayerMs;
      byGeneration[g] = round(
        goldenMin((x) => ((byGeneration[g] = x), loss()), 0, 0.5),
        4,
      );
    }
  }
}

/** Each run 1k+ tokens deep with the run of the same device, model and quant nearest depth 0 (at most 512 deep). */
function depthPairsOf(tg: CalibrationPoint[]): [shallow: CalibrationPoint, deep: CalibrationPoint][] {
  const key = (p: CalibrationPoint) => `${p.device}|${p.model.name}|${p.family}|${p.weightsGB}`;
  const pairs: [CalibrationPoint, CalibrationPoint][] = [];
  for (const deep of tg.filter((p) => p.depthTokens > 1024)) {
    const shallow = tg
      .filter((p) => key(p) === key(deep) && p.depthTokens <= 512)
      .sort((a, b) => a.depthTokens - b.depthTokens)[0];
    if (shallow) pairs.push([shallow, deep]);
  }
  return pairs;
}

/** The prefill input of a measured prompt run. */
const prefillInputOf = (pt: CalibrationPoint): PrefillInput => ({
  device: { backend: pt.backend, fp16Tflops: pt.fp16Tflops, bandwidthGBs: pt.bandwidthGBs },
  model: pt.model,
  weightsGB: pt.weightsGB,
  family: pt.family,
  depthTokens: pt.depthTokens,
  ...(pt.promptTokens !== undefined ? { promptTokens: pt.promptTokens } : {}),
  ...(pt.microBatch !== undefined ? { microBatch: pt.microBatch } : {}),
  ...(pt.flashAttention === false ? { flashAttention: false } : {}),
});

/** The prefill efficiency of a backend's runs: the median ratio of measured to estimated at efficiency 1. */
function prefillEfficiencyOf(
  runs: CalibrationPoint[],
  b: Backend,
  decodeFit: DecodeFit,
  attentionFactor: AttentionFactors | undefined,
): number {
  const logs = runs.map((pt) => {
    const atUnit = prefillTokensPerSec(prefillInputOf(pt), paramsWithPrefill(b, 1, decodeFit, attentionFactor));
    return Math.log(pt.value / atUnit);
  });
  return round(Math.exp(median(logs)), 4);
}

/**
 * A backend's prompt runs split by build where it has both kinds: CUDA builds from before May 2024
 * (`olderPromptKernels`, PROMPT_KERNEL_CHANGES) ran llama.cpp's quantized matmuls on dp4a, before
 * they moved to int8 tensor cores (PR #7676: an RTX 4090's llama 8B Q4_0 pp512 6,280 -> 10,359 tok/s), so their
 * prompts say little about today's. Answers take the current builds' efficiency; the older runs
 * get their own (`earlierBuildEfficiency`), so that they still show as residuals measured against
 * their build, and a check against a run of a stated build can use it.
 */
function prefillRunsByBuild(pp: CalibrationPoint[], b: Backend) {
  const of = pp.filter((p) => p.backend === b);
  const current = of.filter((p) => !p.olderPromptKernels);
  const older = of.filter((p) => p.olderPromptKernels);
  return current.length && older.length ? { current, older } : { current: of, older: [] };
}

export function fitPrefill(
  points: CalibrationPoint[],
  decodeFit: DecodeFit,
  attentionFactor?: AttentionFactors,
): Record<string, { efficiency: number; earlierBuildEfficiency?: number }> {
  const pp = llamaCpp(points).filter((p) => p.metric === 'pp');
  const out: Record<string, { efficiency: number; earlierBuildEfficiency?: number }> = {};
  for (const b of new Set(pp.map((p) => p.backend))) {
    const { current, older } = prefillRunsByBuild(pp, b);
    out[b] = {
      efficiency: prefillEfficiencyOf(current, b, decodeFit, attentionFactor),
      ...(older.length ? { earlierBuildEfficiency: prefillEfficiencyOf(older, b, decodeFit, attentionFactor) } : {}),
    };
  }
  return out;
}

function paramsWithPrefill(
  b: Backend,
  efficiency: number,
  decodeFit: DecodeFit,
  attentionFactor: AttentionFactors | undefined,
): SpeedParams {
  return {
    decode: decodeFit.decode,
    prefill: { [b]: { efficiency } },
    hostEfficiency: FIXED_HOST_EFFICIENCY,
    kvReadFactor: 1,
    ...(attentionFactor ? { attentionFactor } : {}),
    residuals: emptyResiduals(),
  };
}

/** A prompt run deep in the context and the same device, model and build's run shallower. */
export interface PrefillPair {
  shallow: PrefillInput;
  deep: PrefillInput;
  /** Measured tokens/s deep over shallow. */
  measuredRatio: number;
}

export type AttentionFactors = NonNullable<CalibrationFile['attentionFactor']>;

/**
 * Attention's efficiency relative to each backend's GEMM efficiency, fitted on long prompts: where
 * the backend's prefill is calibrated, on the measured tokens/s of long runs; elsewhere (ROCm) on
 * how much slower prompts run deeper in the context, a ratio that cancels the machine's efficiency
 * and TFLOPS. Flash attention can run nearer the chip's peak than llama.cpp's quantized GEMMs, so
 * the factor may pass 1, but attention stays below 95% of peak.
 */
export function fitAttentionFactor(
  pairs: PrefillPair[],
  runs: { input: PrefillInput; value: number }[],
  params: SpeedParams,
): AttentionFactors {
  const out: AttentionFactors = {};
  const backends = new Set([...pairs.map((p) => p.deep.device.backend), ...runs.map((r) => r.input.device.backend)]);
  for (const b of backends) {
    const calibrated = params.prefill[b] !== undefined;
    const at = (a: number): SpeedParams => ({ ...params, attentionFactor: { ...params.attentionFactor, [b]: a } });
    const loss = (a: number) =>
      calibrated
        ? runs
            .filter((r) => r.input.device.backend === b)
            .reduce((s, r) => s + sq(Math.log(prefillTokensPerSec(r.input, at(a)) / r.value)), 0)
        : pairs
            .filter((p) => p.deep.device.backend === b)
            .reduce((s, p) => {
              const ratio = prefillTokensPerSec(p.deep, at(a)) / prefillTokensPerSec(p.shallow, at(a));
              return s + sq(Math.log(ratio / p.measuredRatio));
            }, 0);
    // Attention cannot run faster than the chip: its efficiency stays below 95% of peak.
    out[b] = round(goldenMin(loss, 0.05, Math.min(3, 0.95 / (params.prefill[b]?.efficiency ?? 0.95))), 4);
  }
  return out;
}

export type MlxParams = NonNullable<NonNullable<CalibrationFile['runtimes']>['mlx']>;

/**
 * MLX as a runtime of its own (mlx-lm, LM Studio MLX): streaming efficiency and per-layer cost
 * fitted on MLX decode runs, with the KV factor of the llama.cpp fit; prefill efficiency on MLX
 * prompt runs (median log ratio, as for llama.cpp). Bounded like llama.cpp's.
 */
export function fitMlx(points: CalibrationPoint[], params: SpeedParams): MlxParams | undefined {
  const tg = points.filter((p) => p.metric === 'tg' && p.family === 'mlx');
  const pp = points.filter((p) => p.metric === 'pp' && p.family === 'mlx');
  if (tg.length === 0) return undefined;
  const p: DecodeParams = { efficiency: 0.8, perLayerMs: 0.1, familyFactor: {} };
  const loss = () => tg.reduce((s, pt) => s + sq(Math.log(predictDecode(pt, p, params.kvReadFactor) / pt.value)), 0);
  for (let sweep = 0; sweep < 25; sweep++) {
    p.efficiency = goldenMin((x) => ((p.efficiency = x), loss()), 0.3, MAX_STREAM_EFFICIENCY);
    p.perLayerMs = goldenMin((x) => ((p.perLayerMs = x), loss()), 0, 0.5);
  }
  const runtimes = {
    mlx: {
      efficiency: p.efficiency,
      perLayerMs: p.perLayerMs,
      prefillEfficiency: 1,
      points: { decode: 0, prefill: 0 },
    },
  };
  const atUnit = { ...params, runtimes };
  const logs = pp.map((pt) => Math.log(pt.value / prefillTokensPerSec(prefillInputOf(pt), atUnit)));
  return {
    efficiency: round(p.efficiency, 4),
    perLayerMs: round(p.perLayerMs, 4),
    prefillEfficiency: round(logs.length ? Math.min(1.5, Math.exp(median(logs))) : 0.6, 4),
    points: { decode: tg.length, prefill: pp.length },
  };
}

export interface OffloadParams {
  hostEfficiency: number;
  hostRoundTripMs: number;
}

/**
 * Physical bounds: CPU matmuls reach at most ~90% of RAM bandwidth; a hand-over (a few KB of
 * activations each way over PCIe, a stream synchronisation, the CPU threads woken) costs tens to a
 * few hundred microseconds, so at most 0.5 ms.
 */
export const OFFLOAD_BOUNDS = { hostEfficiency: [0.15, 0.9], hostRoundTripMs: [0, 0.5] } as const;

/**
 * Fits the host side of offload decode on measured runs: the share of the RAM bandwidth the CPU's
 * matmuls reach, and the cost of each GPU-CPU hand-over. `predict` maps the two parameters to
 * tokens/s for every run (through the same physics the bot answers with); the loss is the squared
 * log error, minimised one coordinate at a time within physical bounds.
 */
export function fitOffload(measured: number[], predict: (p: OffloadParams) => number[]): OffloadParams {
  const p: OffloadParams = { hostEfficiency: FIXED_HOST_EFFICIENCY, hostRoundTripMs: 0.1 };
  if (measured.length === 0) return p;
  const loss = () => predict(p).reduce((s, v, i) => s + sq(Math.log(v / measured[i]!)), 0);
  const [el, eh] = OFFLOAD_BOUNDS.hostEfficiency;
  const [rl, rh] = OFFLOAD_BOUNDS.hostRoundTripMs;
  // The two trade off (a slower CPU or costlier hand-overs), so descend until neither moves.
  for (let round = 0; round < 60; round++) {
    const before = { ...p };
    p.hostEfficiency = goldenMin((x) => ((p.hostEfficiency = x), loss()), el, eh);
    p.hostRoundTripMs = goldenMin((x) => ((p.hostRoundTripMs = x), loss()), rl, rh);
    if (
      Math.abs(before.hostEfficiency - p.hostEfficiency) + Math.abs(before.hostRoundTripMs - p.hostRoundTripMs) <
      1e-6
    )
      break;
  }
  return { hostEfficiency: round4(p.hostEfficiency), hostRoundTripMs: round4(p.hostRoundTripMs) };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function round(x: number, digits: number) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface PointResidual {
  point: CalibrationPoint;
  predicted: number;
  /** predicted / measured - 1 */
  error: number;
  /** Prediction of a fit that never saw this device. */
  holdoutPredicted?: number;
  holdoutError?: number;
}

export interface CalibrationResult {
  file: Omit<CalibrationFile, 'fittedAt' | 'source'>;
  decodeResiduals: PointResidual[];
  prefillResiduals: PointResidual[];
}

/** In-sample decode residuals, each with its leave-one-device-out prediction where one exists. */
function decodeResidualsOf(points: CalibrationPoint[], fit: DecodeFit): PointResidual[] {
  const tg = llamaCpp(points).filter((p) => p.metric === 'tg');
  const residuals: PointResidual[] = tg.map((pt) => {
    const predicted = predictDecode(
      pt,
      fit.decode[pt.backend]!,
      fit.kvReadFactor,
      fit.launchBoundPerLayerMs[pt.backend],
    );
    return { point: pt, predicted, error: predicted / pt.value - 1 };
  });
  for (const device of new Set(tg.map((p) => p.device))) {
    const held = fitDecode(points.filter((p) => p.device !== device));
    for (const r of residuals.filter((r) => r.point.device === device)) {
      const p = held.decode[r.point.backend];
      if (!p) continue;
      r.holdoutPredicted = predictDecode(r.point, p, held.kvReadFactor, held.launchBoundPerLayerMs[r.point.backend]);
      r.holdoutError = r.holdoutPredicted / r.point.value - 1;
    }
  }
  return residuals;
}

function prefillResidualsOf(
  points: CalibrationPoint[],
  fit: DecodeFit,
  prefill: ReturnType<typeof fitPrefill>,
  attentionFactor: AttentionFactors | undefined,
): PointResidual[] {
  const pp = llamaCpp(points).filter((p) => p.metric === 'pp');
  return pp.map((pt) => {
    const own = prefill[pt.backend]!;
    const efficiency = (pt.olderPromptKernels && own.earlierBuildEfficiency) || own.efficiency;
    const predicted = prefillTokensPerSec(
      prefillInputOf(pt),
      paramsWithPrefill(pt.backend, efficiency, fit, attentionFactor),
    );
    return { point: pt, predicted, error: predicted / pt.value - 1 };
  });
}

const errorsOf = (rs: PointResidual[], key: 'error' | 'holdoutError') =>
  rs.map((r) => r[key]).filter((e): e is number => e !== undefined);
const absPct = (rs: PointResidual[], key: 'error' | 'holdoutError' = 'error') =>
  errorsOf(rs, key).map((e) => Math.abs(e) * 100);
const within30 = (xs: number[]) => (xs.length ? (100 * xs.filter((x) => x <= 30).length) / xs.length : 0);
/** The displayed band: where measured runs fall relative to the estimate (10th-90th percentile). */
function bandOf(rs: PointResidual[], key: 'error' | 'holdoutError') {
  const logs = errorsOf(rs, key).map((e) => -Math.log(1 + e));
  return { low: round(Math.min(quantile(logs, 0.1), -0.1), 4), high: round(Math.max(quantile(logs, 0.9), 0.1), 4) };
}

/** Fits everything, then measures the error in-sample and leave-one-device-out. */
export function calibrate(points: CalibrationPoint[], attentionFactor?: AttentionFactors): CalibrationResult {
  const fit = fitDecode(points);
  for (const [b, perLayerMs] of Object.entries(fit.launchBoundPerLayerMs))
    if (fit.decode[b]) fit.decode[b].earlierBuildPerLayerMs = perLayerMs;
  const prefill = fitPrefill(points, fit, attentionFactor);
  const decodeResiduals = decodeResidualsOf(points, fit);
  const prefillResiduals = prefillResidualsOf(points, fit, prefill, attentionFactor);
  const decodeAbs = absPct(decodeResiduals);
  const holdoutAbs = absPct(decodeResiduals, 'holdoutError');
  return {
    file: {
      points: points.length,
      decode: fit.decode,
      prefill,
      hostEfficiency: FIXED_HOST_EFFICIENCY,
      kvReadFactor: fit.kvReadFactor,
      ...(attentionFactor ? { attentionFactor } : {}),
      residuals: {
        decodeMedianAbsPct: round(median(decodeAbs), 2),
        decodeP90AbsPct: round(quantile(decodeAbs, 0.9), 2),
        decodeWithin30Pct: round(within30(decodeAbs), 1),
        decodeHoldoutMedianAbsPct: round(median(holdoutAbs), 2),
        decodeHoldoutWithin30Pct: round(within30(holdoutAbs), 1),
        prefillMedianAbsPct: round(median(absPct(prefillResiduals)), 2),
        decodeBand: bandOf(decodeResiduals, 'holdoutError'),
        prefillBand: bandOf(prefillResiduals, 'error'),
      },
    },
    decodeResiduals,
    prefillResiduals,
  };
}
