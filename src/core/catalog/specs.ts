/**
 * The resolved shapes the estimators work on. Catalog records (with sources) are turned into these
 * plain specs, and so are the ad-hoc `DeviceSpec` / `ModelSpec` objects of `estimate --jsonl`, so
 * every estimator serves both.
 */
import type { Backend } from './schema.js';

export type Fit = 'gpu' | 'offload' | 'none';

export type GpuBudget =
  | { rule: 'dedicated' }
  | { rule: 'apple-wired'; defaultFraction: number; raisedReserveGB: number }
  | { rule: 'fixed'; usableGB: number };

export interface DeviceSpec {
  id: string;
  name: string;
  shortName: string;
  backend: Backend;
  /** GPUs with layer split; memory adds up, bandwidth does not. */
  gpus: number;
  unified: boolean;
  /** Per GPU; the whole system memory for unified machines. */
  memoryGB: number;
  /** Per GPU, GB/s. */
  bandwidthGBs: number;
  /** Dense FP16 tensor TFLOPS per GPU. */
  fp16Tflops: number;
  gpuBudget: GpuBudget;
  /** Host RAM where offloaded layers of a discrete GPU run. */
  hostMemoryGB?: number;
  hostBandwidthGBs?: number;
  /** An Apple chip's generation ("m1" ... "m5"): its fixed cost per layer is fitted apart where runs of it exist. */
  generation?: string;
}

/**
 * The Apple generation a Metal device's name or id says ("Apple M2 Ultra", "mac-studio-m4-max"), if
 * any: each generation's GPU pays its own fixed cost per kernel.
 */
export function appleGenerationOf(text: string): string | undefined {
  const m = /\bm([1-9])(?=$|[^0-9a-z]|(?:pro|max|ultra)\b)/i.exec(text);
  return m ? `m${m[1]}` : undefined;
}

export type Attention =
  | { kind: 'full' }
  | { kind: 'sliding'; window: number; globalLayers: number; globalKvHeads?: number; globalHeadDim?: number }
  | { kind: 'mla'; kvLoraRank: number; ropeHeadDim: number }
  | { kind: 'hybrid'; fullLayers: number; stateMB: number };

export interface ModelSpec {
  id: string;
  name: string;
  paramsB: number;
  activeParamsB: number;
  embeddingParamsB: number;
  tiedEmbeddings: boolean;
  layers: number;
  kvHeads: number;
  headDim: number;
  maxContext: number;
  attention: Attention;
  moe?: { experts: number; activeExperts: number };
  /** The format the model ships in (gpt-oss: MXFP4 experts). */
  nativeQuant?: string;
  /** The vision projector (mmproj) in GB, for multimodal models. */
  mmprojGB?: number;
  /** Known file sizes in GB keyed by canonical quant id. */
  fileGB: Record<string, number>;
  /** True when layers/heads were guessed from the parameter count (unknown model). */
  architectureEstimated: boolean;
}

export type QuantFamily = 'float' | 'legacy' | 'k-quant' | 'i-quant' | 'mxfp4' | 'mlx';

export interface QuantSpec {
  id: string;
  name: string;
  family: QuantFamily;
  bitsPerWeight: number;
  backends: Backend[];
}

/** A figure the bot shows, with where it comes from. */
export type Basis = 'estimate' | 'measured' | 'reported';

export interface Band {
  low: number;
  high: number;
}
