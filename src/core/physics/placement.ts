/**
 * Offload placement: where a runtime puts a model that does not fit the GPU, and what each token
 * then reads from VRAM and from host RAM.
 *
 * Runtimes do not split a model at the ideal byte. llama.cpp places whole layers (`-ngl N`: the
 * last N blocks on the GPU, the output head on the CPU unless every block is on the GPU) or, for a
 * mixture of experts, the expert tensors of whole layers (`--n-cpu-moe N`, `-ot exps=CPU`, and its
 * automatic `--fit`, PR #16653): attention, the dense part and the KV cache stay on the GPU and each
 * CPU layer costs a GPU-CPU round trip per token. Ollama offloads whole layers and reserves the KV
 * cache of its whole window first.
 */
import type { DeviceSpec, ModelSpec, QuantFamily } from '../catalog/specs.js';
import { kvCacheGB } from './memory.js';
import { splitWeights } from './weights.js';

export type PlacementRuntime = 'llama.cpp' | 'ollama';

/** What the user set (`estimate --jsonl`, the CLI), else the runtime's own choice. */
export interface PlacementOptions {
  runtime?: PlacementRuntime;
  /** `-ngl`: repeating layers on the GPU; at least the model's layer count means all, head included. */
  gpuLayers?: number;
  /** `--n-cpu-moe`: layers whose expert tensors stay in host RAM (the model's layer count: `--cpu-moe`). */
  cpuMoeLayers?: number;
}

export interface Placement {
  /** `layers`: whole blocks on the CPU; `experts`: only the experts of some blocks. */
  kind: 'layers' | 'experts';
  gpuLayers: number;
  cpuMoeLayers: number;
  outputOnGpu: boolean;
  /** Resident weights, GB. */
  gpuWeightsGB: number;
  hostWeightsGB: number;
  /** Host-resident weights the GPU borrows for batched work (all but the input embedding table). */
  hostLayerGB: number;
  /** Weights read per generated token, GB. */
  gpuReadGB: number;
  hostReadGB: number;
  /** Share of the KV cache held (and read) on the GPU. */
  gpuKvShare: number;
  /** GPU-CPU hand-overs per token: one per CPU expert layer; one for a block of CPU layers. */
  roundTrips: number;
  /** Set by the user rather than chosen by the runtime. */
  explicit: boolean;
}

/** llama.cpp `--fit` leaves this much free on each device (its default margin, 1 GiB). */
export const FIT_MARGIN_GB = 1.073741824;

export interface PlacementInput {
  device: Pick<DeviceSpec, 'gpus'>;
  model: ModelSpec;
  weightsGB: number;
  family: QuantFamily;
  contextTokens: number;
  kvType?: string;
  /** GPU memory for weights and KV: the budget less the runtime's overhead. */
  roomGB: number;
  options?: PlacementOptions;
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

/** The placement a runtime makes (or the user set) for a model that does not all fit the GPU. */
export function placeModel(input: PlacementInput): Placement {
  const { model, options = {} } = input;
  const w = splitWeights(model, input.weightsGB, input.family);
  const L = model.layers;
  const kv = kvCacheGB(model, input.contextTokens, input.kvType);
  const kvPerLayer = kv / L;
  const room = Math.max(0, input.roomGB - FIT_MARGIN_GB * input.device.gpus);
  const hasExperts = w.layerExpertGB > 0;
  const runtime = options.runtime ?? 'llama.cpp';

  const layersPlacement = (n: number, explicit: boolean): Placement => {
    const gpuLayers = clamp(Math.round(n), 0, L);
    const all = gpuLayers >= L && (options.gpuLayers === undefined || options.gpuLayers > L);
    const perLayer = w.layerDenseGB + w.layerExpertGB;
    const perLayerRead = w.layerDenseGB + w.layerExpertReadGB;
    const head = all ? w.headStoredGB : 0;
    return {
      kind: 'layers',
      gpuLayers,
      cpuMoeLayers: 0,
      outputOnGpu: all,
      gpuWeightsGB: gpuLayers * perLayer + head,
      hostWeightsGB: (L - gpuLayers) * perLayer + w.embeddingGB + (all ? 0 : w.headStoredGB),
      hostLayerGB: (L - gpuLayers) * perLayer + (all ? 0 : w.headStoredGB),
      gpuReadGB: gpuLayers * perLayerRead + (all ? w.headReadGB : 0),
      hostReadGB: (L - gpuLayers) * perLayerRead + (all ? 0 : w.headReadGB),
      gpuKvShare: gpuLayers / L,
      roundTrips: gpuLayers > 0 && gpuLayers < L ? 1 : 0,
      explicit,
    };
  };

  const expertsPlacement = (n: number, explicit: boolean): Placement => {
    const cpuMoeLayers = clamp(Math.round(n), 0, L);
    return {
      kind: 'experts',
      gpuLayers: L,
      cpuMoeLayers,
      outputOnGpu: true,
      gpuWeightsGB: L * w.layerDenseGB + (L - cpuMoeLayers) * w.layerExpertGB + w.headStoredGB,
      hostWeightsGB: cpuMoeLayers * w.layerExpertGB + w.embeddingGB,
      hostLayerGB: cpuMoeLayers * w.layerExpertGB,
      gpuReadGB: L * w.layerDenseGB + (L - cpuMoeLayers) * w.layerExpertReadGB + w.headReadGB,
      hostReadGB: cpuMoeLayers * w.layerExpertReadGB,
      gpuKvShare: 1,
      roundTrips: cpuMoeLayers,
      explicit,
    };
  };

  if (options.cpuMoeLayers !== undefined && hasExperts) return expertsPlacement(options.cpuMoeLayers, true);
  if (options.gpuLayers !== undefined) return layersPlacement(options.gpuLayers, true);

  // llama.cpp's --fit keeps every non-expert tensor and the KV cache on the GPU and moves the
  // experts of as few layers as it must.
  if (runtime === 'llama.cpp' && hasExperts) {
    const fixed = L * w.layerDenseGB + w.headStoredGB + kv;
    if (fixed <= room) {
      const over = fixed + L * w.layerExpertGB - room;
      return expertsPlacement(Math.ceil(over / w.layerExpertGB), false);
    }
  }
  // Whole layers, each with its share of the KV cache; the output head stays on the CPU unless
  // every layer and the head fit.
  const perLayerWithKv = w.layerDenseGB + w.layerExpertGB + kvPerLayer;
  const n = Math.floor(room / perLayerWithKv);
  return layersPlacement(n >= L && L * perLayerWithKv + w.headStoredGB > room ? L - 1 : n, false);
}
