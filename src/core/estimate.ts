/**
 * `estimate --jsonl`: one query in, one result out, for scripts and bulk checks. Devices and
 * models may be catalog references or ad-hoc specs, so the same physics answers hardware the
 * catalog does not list.
 */
import { z } from 'zod';
import { BackendSchema } from './catalog/schema.js';
import { estimateArchitecture } from './query/architecture.js';
import { defaultQuantOf } from './query/query.js';
import { generationOf, type Catalog } from './catalog/catalog.js';
import { quantForDevice } from './physics/evaluate.js';
import { estimateMemory, HOST_RESERVE_GB, type MemoryEstimate } from './physics/memory.js';
import type { Placement, PlacementOptions } from './physics/placement.js';
import { resolveDevice, resolveModel, resolveQuant } from './query/resolve.js';
import { err, ok, type CoreError, type Result } from './result.js';
import {
  decodeBand,
  decodeTokensPerSec,
  changesAfter,
  paramsForBuild,
  prefillBand,
  FLASH_ATTENTION_DEFAULT_SINCE,
  flashAttentionByDefault,
  PREFILL_UBATCH,
  prefillTokensPerSec,
} from './physics/speed.js';
import type { Band, DeviceSpec, Fit, ModelSpec } from './catalog/specs.js';

const positive = z.number().finite().positive();

export const DeviceSpecInputSchema = z.object({
  name: z.string().max(120).optional(),
  memoryGB: positive.max(4096),
  bandwidthGBs: positive.max(100_000),
  backend: BackendSchema,
  gpus: z.number().int().min(1).max(16).default(1),
  unified: z.boolean().optional(),
  fp16Tflops: positive.max(100_000).optional(),
  systemMemoryGB: positive.max(16_384).optional(),
  systemBandwidthGBs: positive.max(10_000).optional(),
});

export const ModelSpecInputSchema = z.object({
  name: z.string().max(200).optional(),
  paramsB: positive.max(10_000),
  activeParamsB: positive.max(10_000).optional(),
  quant: z.string().max(40),
  fileGB: positive.max(20_000).optional(),
  layers: z.number().int().min(1).max(1000).optional(),
  kvHeads: z.number().int().min(1).max(1024).optional(),
  headDim: z.number().int().min(1).max(4096).optional(),
});

export const EstimateQuerySchema = z.object({
  id: z.union([z.string().max(200), z.number()]).optional(),
  device: z.union([z.string().min(1).max(120), DeviceSpecInputSchema]),
  model: z.union([z.string().min(1).max(300), ModelSpecInputSchema]),
  quant: z.string().max(40).optional(),
  contextTokens: z.number().int().min(1).max(4_194_304).optional(),
  depthTokens: z.number().int().min(0).max(4_194_304).optional(),
  /** The prompt prefilled at that depth (llama-bench's -p; default 512, pp512) and the micro-batch (-ub; default 512). */
  promptTokens: z.number().int().min(1).max(4_194_304).optional(),
  microBatch: z.number().int().min(1).max(65_536).optional(),
  /** FlashAttention on or off (llama.cpp -fa); absent: the build's default (on since September 2025). */
  flashAttention: z.boolean().optional(),
  /** Offload as the user set it: llama.cpp `-ngl` and `--n-cpu-moe` ("all" = every layer). */
  gpuLayers: z.union([z.number().int().min(0).max(1000), z.literal('all')]).optional(),
  cpuMoeLayers: z.union([z.number().int().min(0).max(1000), z.literal('all')]).optional(),
  /** Whose placement to model when none is set: llama.cpp's automatic fit (default) or Ollama's layer split. */
  runtime: z.enum(['llama.cpp', 'ollama']).optional(),
  /**
   * The date of the llama.cpp build measured (YYYY-MM or YYYY-MM-DD), to check an estimate against
   * an older run: builds from before a backend's fixed-cost change pay its earlier per-layer cost
   * (FIXED_COST_CHANGES) and its earlier prompt efficiency (PROMPT_KERNEL_CHANGES). Absent: a current build.
   */
  build: z
    .string()
    .regex(/^20\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'build must be a date, YYYY-MM or YYYY-MM-DD')
    .optional(),
});

export interface EstimateResult {
  id: string | number | null;
  device: string;
  model: string;
  quant: string;
  fit: Fit;
  memory: {
    requiredGB: number;
    availableGB: number;
    raisedAvailableGB?: number;
    weightsGB: number;
    weightsBasis: string;
    kvCacheGB: number;
    overheadGB: number;
    spillGB: number;
    needsRaisedLimit: boolean;
  };
  /** Offload only: where the layers and experts sit (as set, or as the runtime places them). */
  placement?: {
    kind: Placement['kind'];
    gpuLayers: number;
    cpuMoeLayers: number;
    outputOnGpu: boolean;
    gpuWeightsGB: number;
    hostWeightsGB: number;
    explicit: boolean;
  };
  decodeTokensPerSec: number | null;
  decodeRange: Band | null;
  prefillTokensPerSec: number | null;
  prefillRange: Band | null;
  contextTokens: number;
  depthTokens: number;
  basis: 'estimate';
  assumptions: string[];
}

export interface EstimateError {
  id: string | number | null;
  error: Pick<CoreError, 'code' | 'message'> & { hint?: string };
}

/** Defaults for a discrete GPU whose host RAM the query does not state. */
const DEFAULT_HOST = { memoryGB: 64, bandwidthGBs: 80 };

function deviceFromSpec(spec: z.infer<typeof DeviceSpecInputSchema>, assumptions: string[]): DeviceSpec {
  const unified = spec.unified ?? spec.backend === 'metal';
  let fp16 = spec.fp16Tflops;
  if (fp16 === undefined) {
    assumptions.push('fp16Tflops not given: prefill not estimated');
    fp16 = 0;
  }
  const base = {
    id: 'custom',
    name: spec.name ?? `${spec.memoryGB} GB ${spec.backend} device`,
    shortName: (spec.name ?? 'custom').slice(0, 14),
    backend: spec.backend,
    gpus: spec.gpus,
    unified,
    memoryGB: spec.memoryGB,
    bandwidthGBs: spec.bandwidthGBs,
    fp16Tflops: fp16,
    // "Apple M2 Ultra": the generation its name says sets the per-layer cost.
    ...generationOf(spec.backend, spec.name ?? ''),
  };
  if (unified) {
    const gpuBudget: DeviceSpec['gpuBudget'] =
      spec.backend === 'metal'
        ? { rule: 'apple-wired', defaultFraction: spec.memoryGB >= 64 ? 0.75 : 0.67, raisedReserveGB: 8 }
        : { rule: 'fixed', usableGB: spec.memoryGB * 0.9 };
    return { ...base, gpuBudget };
  }
  if (spec.systemMemoryGB === undefined || spec.systemBandwidthGBs === undefined)
    assumptions.push(
      `host RAM not fully given: assumed ${spec.systemMemoryGB ?? DEFAULT_HOST.memoryGB} GB at ${spec.systemBandwidthGBs ?? DEFAULT_HOST.bandwidthGBs} GB/s for offload`,
    );
  return {
    ...base,
    gpuBudget: { rule: 'dedicated' },
    hostMemoryGB: spec.systemMemoryGB ?? DEFAULT_HOST.memoryGB,
    hostBandwidthGBs: spec.systemBandwidthGBs ?? DEFAULT_HOST.bandwidthGBs,
  };
}

type ModelSpecInput = z.infer<typeof ModelSpecInputSchema>;

/**
 * An ad-hoc model spec: a named spec borrows the catalog's architecture (sliding window, MoE
 * layout, embeddings) and keeps the figures the query states; an unnamed one is estimated from size.
 */
function modelFromSpec(catalog: Catalog, spec: ModelSpecInput, quantId: string, assumptions: string[]): ModelSpec {
  const named = spec.name ? resolveModel(catalog, spec.name) : undefined;
  const known = named?.ok && !named.value.phantom ? named.value.model : undefined;
  const shape = {
    ...(spec.layers !== undefined ? { layers: spec.layers } : {}),
    ...(spec.kvHeads !== undefined ? { kvHeads: spec.kvHeads } : {}),
    ...(spec.headDim !== undefined ? { headDim: spec.headDim } : {}),
  };
  if (known) {
    assumptions.push(`architecture of ${known.name} from the catalog`);
    return {
      ...known,
      paramsB: spec.paramsB,
      activeParamsB: Math.min(spec.activeParamsB ?? (known.activeParamsB * spec.paramsB) / known.paramsB, spec.paramsB),
      ...shape,
      fileGB: spec.fileGB !== undefined ? { [quantId]: spec.fileGB } : known.fileGB,
    };
  }
  const model = estimateArchitecture({
    ...(spec.name ? { name: spec.name } : {}),
    paramsB: spec.paramsB,
    ...(spec.activeParamsB !== undefined ? { activeParamsB: spec.activeParamsB } : {}),
    ...shape,
    ...(spec.fileGB !== undefined ? { fileGB: { [quantId]: spec.fileGB } } : {}),
  });
  if (model.architectureEstimated)
    assumptions.push(
      `architecture estimated from size: ${model.layers} layers, ${model.kvHeads} KV heads x ${model.headDim}`,
    );
  return model;
}

/** The model (a catalog reference or a spec) and the quant the query means for it. */
function modelAndQuant(
  catalog: Catalog,
  q: z.infer<typeof EstimateQuerySchema>,
  assumptions: string[],
): Result<{ model: ModelSpec; quantText: string }> {
  if (typeof q.model === 'string') {
    const m = resolveModel(catalog, q.model);
    if (!m.ok) return m;
    const quantText = q.quant ?? m.value.quant?.id ?? defaultQuantOf(m.value.model);
    return ok({ model: m.value.model, quantText });
  }
  const quantText = q.quant ?? q.model.quant;
  const qr = resolveQuant(catalog, quantText);
  if (!qr.ok) return qr;
  return ok({ model: modelFromSpec(catalog, q.model, qr.value.id, assumptions), quantText });
}

const layersOf = (v: number | 'all' | undefined, layers: number) => (v === 'all' ? layers : v);

function placementOf(q: z.infer<typeof EstimateQuerySchema>, model: ModelSpec) {
  const gpuLayers = q.gpuLayers === 'all' ? model.layers + 1 : q.gpuLayers;
  const cpuMoeLayers = layersOf(q.cpuMoeLayers, model.layers);
  const options: PlacementOptions = {
    ...(q.runtime ? { runtime: q.runtime } : {}),
    ...(gpuLayers !== undefined ? { gpuLayers } : {}),
    ...(cpuMoeLayers !== undefined ? { cpuMoeLayers } : {}),
  };
  return { options, explicit: gpuLayers !== undefined || cpuMoeLayers !== undefined };
}

const hostStated = (d: z.infer<typeof EstimateQuerySchema>['device']) =>
  typeof d !== 'string' && d.systemMemoryGB !== undefined;

function placementNote(p: Placement, layers: number): string {
  const how = p.explicit ? 'as set' : 'as the runtime places it';
  return p.kind === 'experts'
    ? `offload ${how}: experts of ${p.cpuMoeLayers} of ${layers} layers in host RAM (--n-cpu-moe ${p.cpuMoeLayers})`
    : p.outputOnGpu
      ? `offload ${how}: all ${layers} layers and the output head on the GPU`
      : `offload ${how}: ${p.gpuLayers} of ${layers} layers on the GPU (-ngl ${p.gpuLayers}), the rest and the output head in host RAM`;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const band3 = (b: Band | null) => (b ? { low: r3(b.low), high: r3(b.high) } : null);

function memoryOut(mem: MemoryEstimate): EstimateResult['memory'] {
  return {
    requiredGB: r3(mem.requiredGB),
    availableGB: r3(mem.availableGB),
    ...(mem.raisedAvailableGB !== undefined ? { raisedAvailableGB: r3(mem.raisedAvailableGB) } : {}),
    weightsGB: r3(mem.weightsGB),
    weightsBasis: mem.weightsBasis,
    kvCacheGB: r3(mem.kvCacheGB),
    overheadGB: r3(mem.overheadGB),
    spillGB: r3(mem.spillGB),
    needsRaisedLimit: mem.needsRaisedLimit,
  };
}

export function estimateOne(catalog: Catalog, raw: unknown): Result<EstimateResult> {
  const parsed = EstimateQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return err('INVALID_QUERY', `${i.path.join('.') || 'query'}: ${i.message}`);
  }
  const q = parsed.data;
  const assumptions: string[] = [];
  let device: DeviceSpec;
  if (typeof q.device === 'string') {
    const d = resolveDevice(catalog, q.device);
    if (!d.ok) return d;
    device = d.value;
  } else device = deviceFromSpec(q.device, assumptions);
  const mq = modelAndQuant(catalog, q, assumptions);
  if (!mq.ok) return mq;
  const { model, quantText } = mq.value;
  const qr = resolveQuant(catalog, quantText);
  if (!qr.ok) return qr;
  let quant = qr.value;
  if ('record' in device) {
    const adj = quantForDevice(catalog, device as Parameters<typeof quantForDevice>[1], quant);
    quant = adj.quant;
    if (adj.note) assumptions.push(adj.note);
  }
  const depth = q.depthTokens ?? 0;
  const context = q.contextTokens ?? Math.max(4096, depth + 1024);
  if (depth > context) return err('OUT_OF_RANGE', `depthTokens (${depth}) exceeds contextTokens (${context}).`);

  const placement = placementOf(q, model);
  if (placement.explicit && !device.unified && device.hostMemoryGB !== undefined && !hostStated(q.device)) {
    // The user runs it this way, so the host holds what the placement leaves there.
    device = { ...device, hostMemoryGB: Math.max(device.hostMemoryGB, model.paramsB * 2 + HOST_RESERVE_GB) };
    assumptions.push('host RAM not given: assumed large enough for the placement set');
  }
  const mem = estimateMemory(device, model, quant, context, 'f16', placement.options);
  if (mem.placement) assumptions.push(placementNote(mem.placement, model.layers));
  const params = paramsForBuild(catalog.calibration, device.backend, q.build, quant.family);
  if (params !== catalog.calibration)
    assumptions.push(
      `build ${q.build}: estimated as a build before ${changesAfter(device.backend, q.build).join('; ')}`,
    );
  // An MLX file runs MLX's fused attention, whatever a llama.cpp build did.
  const mlxFile = quant.family === 'mlx' && device.backend === 'metal';
  const flashAttention = mlxFile || (q.flashAttention ?? flashAttentionByDefault(q.build));
  if (!flashAttention)
    assumptions.push(
      q.flashAttention === false
        ? 'FlashAttention off: the prompt writes out its attention scores'
        : `build ${q.build}: FlashAttention off, as llama.cpp ran prompts before ${FLASH_ATTENTION_DEFAULT_SINCE} unless -fa was given`,
    );
  const runs = mem.fit !== 'none';
  const shared = { device, model, weightsGB: mem.weightsGB, ...(mem.placement ? { placement: mem.placement } : {}) };
  const decode = runs ? decodeTokensPerSec({ ...shared, family: quant.family, depthTokens: depth }, params) : null;
  // Prefill: the prompt asked (default a 512-token chunk) read at the depth asked (llama-bench's pp512 @ d).
  const prefill =
    runs && device.fp16Tflops > 0
      ? prefillTokensPerSec(
          {
            ...shared,
            family: quant.family,
            depthTokens: depth,
            promptTokens: q.promptTokens ?? PREFILL_UBATCH,
            flashAttention,
            ...(q.microBatch !== undefined ? { microBatch: q.microBatch } : {}),
          },
          params,
        )
      : null;
  return ok({
    id: q.id ?? null,
    device: device.name,
    model: model.name,
    quant: quant.id,
    fit: mem.fit,
    memory: memoryOut(mem),
    ...(mem.placement
      ? {
          placement: {
            kind: mem.placement.kind,
            gpuLayers: mem.placement.gpuLayers,
            cpuMoeLayers: mem.placement.cpuMoeLayers,
            outputOnGpu: mem.placement.outputOnGpu,
            gpuWeightsGB: r3(mem.placement.gpuWeightsGB),
            hostWeightsGB: r3(mem.placement.hostWeightsGB),
            explicit: mem.placement.explicit,
          },
        }
      : {}),
    decodeTokensPerSec: decode === null ? null : r3(decode),
    decodeRange: band3(decode === null ? null : decodeBand(decode, params, mem.fit === 'offload')),
    prefillTokensPerSec: prefill === null ? null : r3(prefill),
    prefillRange: band3(prefill === null ? null : prefillBand(prefill, params)),
    contextTokens: context,
    depthTokens: depth,
    basis: 'estimate',
    assumptions,
  });
}

/** One JSONL line in, one JSON result out; never throws. */
export function estimateLine(catalog: Catalog, line: string, lineNo: number): EstimateResult | EstimateError {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { id: `line-${lineNo}`, error: { code: 'INVALID_QUERY', message: `line ${lineNo} is not valid JSON` } };
  }
  const id =
    raw && typeof raw === 'object' && 'id' in raw && (typeof raw.id === 'string' || typeof raw.id === 'number')
      ? raw.id
      : null;
  try {
    const r = estimateOne(catalog, raw);
    if (r.ok) return r.value;
    return {
      id,
      error: { code: r.error.code, message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) },
    };
  } catch (e) {
    // A bug must not stop a bulk run: report it on this line and go on.
    return { id, error: { code: 'INVALID_QUERY', message: `internal error: ${(e as Error).message}` } };
  }
}
