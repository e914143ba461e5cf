/**
 * Memory and fit: weights + KV cache + runtime overhead against what the GPU may hold.
 * Sizes are GB of 1e9 bytes, as GGUF listings and vendors use them.
 */
import type { DeviceSpec, Fit, ModelSpec, QuantSpec } from '../catalog/specs.js';
import { placeModel, type Placement, type PlacementOptions } from './placement.js';

/** CUDA/ROCm context plus llama.cpp compute buffers, per GPU (0.5-1.5 GB in practice). */
export const RUNTIME_OVERHEAD_GB: Record<DeviceSpec['backend'], number> = {
  cuda: 1.0,
  rocm: 1.0,
  vulkan: 1.0,
  metal: 0.8,
  cpu: 0.5,
};
/** Host RAM left to the OS, the desktop and the inference server when layers spill to it. */
export const HOST_RESERVE_GB = 8;
/**
 * Read speed of a model file that the page cache cannot hold (an NVMe SSD read in large chunks,
 * as a memory-mapped GGUF's expert tensors are): an assumption, no device states its disk.
 */
export const DISK_READ_GBS = 3;

/**
 * llama.cpp and Ollama map the model file (mmap): what the CPU reads stays in the page cache only
 * if host RAM (less what the OS and the server keep) holds all of it. Beyond that the cache evicts
 * bytes that later tokens need again, and with experts chosen afresh each token the share of reads
 * that miss is the share of the host's bytes that does not fit; those reads come from disk.
 */
export function pageCacheMissShare(hostResidentGB: number, hostMemoryGB: number | undefined): number {
  if (hostMemoryGB === undefined || hostResidentGB <= 0) return 0;
  const cache = Math.max(0, (hostMemoryGB - HOST_RESERVE_GB) * GIB_IN_GB);
  return Math.max(0, hostResidentGB - cache) / hostResidentGB;
}
/** KV cache bytes per element by cache type (llama.cpp `--cache-type-k/v`). */
export const KV_BYTES: Record<string, number> = { f16: 2, q8_0: 1.0625, q4_0: 0.5625 };

export interface WeightsEstimate {
  gb: number;
  basis: 'file-size' | 'bits-per-weight';
}

export function weightsGB(model: ModelSpec, quant: QuantSpec): WeightsEstimate {
  const known = model.fileGB[quant.id];
  if (known !== undefined) return { gb: known, basis: 'file-size' };
  return { gb: (model.paramsB * quant.bitsPerWeight) / 8, basis: 'bits-per-weight' };
}

/** Bytes per element of a KV-cache type (f16, q8_0, q4_0); f16 for a type we do not know. */
export const kvBytesPerElement = (kvType: string) => KV_BYTES[kvType] ?? 2;

/** KV bytes one token adds to a layer that keeps it (K and V). */
export function kvBytesPerTokenPerLayer(model: ModelSpec, kvType = 'f16'): number {
  // MLA caches one latent (plus its rotary part) per token, shared by every head.
  if (model.attention.kind === 'mla')
    return (model.attention.kvLoraRank + model.attention.ropeHeadDim) * kvBytesPerElement(kvType);
  return 2 * model.kvHeads * model.headDim * kvBytesPerElement(kvType);
}

/**
 * KV cache for `tokens` of context, in GB. Sliding-window layers (Gemma 3, gpt-oss) keep only their
 * window, which is why a 128k Gemma 3 context costs a fraction of a Llama one; MLA layers (DeepSeek
 * V3, Kimi K2) keep one compressed latent per token; hybrid models (Qwen3-Next) keep a cache only in
 * their full-attention layers and a fixed state in the others.
 */
export function kvCacheGB(model: ModelSpec, tokens: number, kvType = 'f16'): number {
  const perLayer = kvBytesPerTokenPerLayer(model, kvType);
  const t = Math.max(0, tokens);
  const a = model.attention;
  switch (a.kind) {
    case 'sliding': {
      const globals = Math.min(a.globalLayers, model.layers);
      const locals = model.layers - globals;
      const globalPerLayer =
        2 * (a.globalKvHeads ?? model.kvHeads) * (a.globalHeadDim ?? model.headDim) * kvBytesPerElement(kvType);
      return (globalPerLayer * globals * t + perLayer * locals * Math.min(t, a.window)) / 1e9;
    }
    case 'hybrid':
      return (perLayer * Math.min(a.fullLayers, model.layers) * t) / 1e9 + a.stateMB / 1e3;
    case 'mla':
    case 'full':
      return (perLayer * model.layers * t) / 1e9;
  }
}

export function runtimeOverheadGB(device: DeviceSpec): number {
  return RUNTIME_OVERHEAD_GB[device.backend] * device.gpus;
}

export interface GpuBudgetGB {
  /** What the GPU may use as shipped. */
  defaultGB: number;
  /** Apple only: after `sudo sysctl iogpu.wired_limit_mb=<MB>`. */
  raisedGB?: number;
  raisedLimitMB?: number;
}

/**
 * Vendors' memory sizes ("32 GB" VRAM, "128 GB" unified, "64 GB" DDR5) are binary: GiB. Model
 * files and everything we add up are decimal GB (1e9 bytes), as GGUF listings give them.
 */
export const GIB_IN_GB = 1.073741824;

export function gpuBudgetGB(device: DeviceSpec): GpuBudgetGB {
  const b = device.gpuBudget;
  switch (b.rule) {
    case 'dedicated':
      return { defaultGB: device.memoryGB * device.gpus * GIB_IN_GB };
    case 'fixed':
      return { defaultGB: b.usableGB * GIB_IN_GB };
    case 'apple-wired': {
      // The sysctl takes MiB of the real (binary) RAM left after the reserve.
      const raisedGiB = device.memoryGB - b.raisedReserveGB;
      return {
        defaultGB: device.memoryGB * b.defaultFraction * GIB_IN_GB,
        raisedGB: raisedGiB * GIB_IN_GB,
        raisedLimitMB: Math.round(raisedGiB * 1024),
      };
    }
  }
}

export interface MemoryEstimate {
  weightsGB: number;
  weightsBasis: WeightsEstimate['basis'];
  kvCacheGB: number;
  /** The vision projector (mmproj) of a multimodal model. */
  projectorGB?: number;
  overheadGB: number;
  requiredGB: number;
  /** GPU-usable memory as shipped. */
  availableGB: number;
  /** Apple: the budget after raising the wired limit. */
  raisedAvailableGB?: number;
  fit: Fit;
  /** Fits on Apple only after raising the GPU wired limit. */
  needsRaisedLimit: boolean;
  /** The command that raises it, when it is needed. */
  sysctlTip?: string;
  /** Offload: GB that spill to host RAM, and the share of the weights that stays on the GPU. */
  spillGB: number;
  gpuShare: number;
  /** Offload: which layers or experts the runtime keeps in host RAM. */
  placement?: Placement;
  hostAvailableGB?: number;
  /**
   * Offload: what host RAM cannot hold of the host's part (weights and KV). With the file mapped the
   * run still starts, but each token reads that share from disk: it thrashes (fit 'none').
   */
  pageCacheShortGB?: number;
  contextTokens: number;
}

type MemoryBase = Omit<MemoryEstimate, 'fit' | 'needsRaisedLimit' | 'spillGB' | 'gpuShare'>;

/**
 * A discrete GPU that cannot hold it all (or a placement the user set): the runtime's placement
 * decides what stays in VRAM; the rest (and its share of the KV cache) goes to host RAM, if the
 * RAM holds it.
 */
function withOffload(
  base: MemoryBase,
  device: DeviceSpec,
  model: ModelSpec,
  quant: QuantSpec,
  options: PlacementOptions | undefined,
  kvType: string,
): MemoryEstimate {
  const hostAvailable = Math.max(0, ((device.hostMemoryGB ?? 0) - HOST_RESERVE_GB) * GIB_IN_GB);
  const placement = placeModel({
    device,
    model,
    weightsGB: base.weightsGB,
    family: quant.family,
    contextTokens: base.contextTokens,
    kvType,
    roomGB: base.availableGB - base.overheadGB - (base.projectorGB ?? 0),
    ...(options ? { options } : {}),
  });
  const spill = placement.hostWeightsGB + base.kvCacheGB * (1 - placement.gpuKvShare);
  const resident = placement.gpuWeightsGB + placement.hostWeightsGB;
  // A placement set by hand may ask the GPU for more than it holds: that run cannot start.
  const onGpu = placement.gpuWeightsGB + base.kvCacheGB * placement.gpuKvShare;
  const gpuFits = onGpu <= base.availableGB - base.overheadGB - (base.projectorGB ?? 0);
  return {
    ...base,
    fit: spill <= hostAvailable && gpuFits ? 'offload' : 'none',
    needsRaisedLimit: false,
    spillGB: spill,
    gpuShare: resident > 0 ? placement.gpuWeightsGB / resident : 0,
    placement,
    hostAvailableGB: hostAvailable,
    pageCacheShortGB: Math.max(0, spill - hostAvailable),
  };
}

const explicitPlacement = (o?: PlacementOptions) => o?.gpuLayers !== undefined || o?.cpuMoeLayers !== undefined;

export function estimateMemory(
  device: DeviceSpec,
  model: ModelSpec,
  quant: QuantSpec,
  contextTokens: number,
  kvType = 'f16',
  placement?: PlacementOptions,
): MemoryEstimate {
  const w = weightsGB(model, quant);
  const kv = kvCacheGB(model, contextTokens, kvType);
  const overhead = runtimeOverheadGB(device);
  // A vision model's projector (mmproj) loads beside the weights (Ollama loads it by default).
  const projector = model.mmprojGB ?? 0;
  const required = w.gb + projector + kv + overhead;
  const budget = gpuBudgetGB(device);
  const base = {
    weightsGB: w.gb,
    weightsBasis: w.basis,
    kvCacheGB: kv,
    ...(projector > 0 ? { projectorGB: projector } : {}),
    overheadGB: overhead,
    requiredGB: required,
    availableGB: budget.defaultGB,
    ...(budget.raisedGB !== undefined ? { raisedAvailableGB: budget.raisedGB } : {}),
    contextTokens,
  };
  const offloadable = !device.unified && device.hostMemoryGB !== undefined;
  if (offloadable && explicitPlacement(placement)) {
    const m = withOffload(base, device, model, quant, placement, kvType);
    // The input embedding table stays in host RAM in every llama.cpp run: not an offload.
    const moved = m.placement!.hostLayerGB + kv * (1 - m.placement!.gpuKvShare);
    if (moved > 0.05 * w.gb || m.fit === 'none') return m;
  }
  if (required <= budget.defaultGB) {
    return { ...base, fit: 'gpu', needsRaisedLimit: false, spillGB: 0, gpuShare: 1 };
  }
  if (budget.raisedGB !== undefined && required <= budget.raisedGB) {
    return {
      ...base,
      fit: 'gpu',
      needsRaisedLimit: true,
      sysctlTip: `sudo sysctl iogpu.wired_limit_mb=${budget.raisedLimitMB}`,
      spillGB: 0,
      gpuShare: 1,
    };
  }
  if (offloadable) return withOffload(base, device, model, quant, placement, kvType);
  return {
    ...base,
    fit: 'none',
    needsRaisedLimit: false,
    spillGB: required - (budget.raisedGB ?? budget.defaultGB),
    gpuShare: 0,
  };
}

/**
 * The longest context whose KV cache still fits in GPU memory beside the weights (the raised limit
 * on a Mac, where one is set), up to the model's own maximum; 0 when the weights alone do not fit.
 * The cache grows with the context (linearly, or in steps for sliding windows), so halving finds it.
 */
export function longestContextThatFits(device: DeviceSpec, model: ModelSpec, quant: QuantSpec, kvType = 'f16'): number {
  const budget = gpuBudgetGB(device);
  const room =
    (budget.raisedGB ?? budget.defaultGB) -
    weightsGB(model, quant).gb -
    (model.mmprojGB ?? 0) -
    runtimeOverheadGB(device);
  if (room <= kvCacheGB(model, 0, kvType)) return 0;
  if (kvCacheGB(model, model.maxContext, kvType) <= room) return model.maxContext;
  let lo = 0;
  let hi = model.maxContext;
  while (hi - lo > 256) {
    const mid = Math.floor((lo + hi) / 2);
    if (kvCacheGB(model, mid, kvType) <= room) lo = mid;
    else hi = mid;
  }
  return lo;
}
