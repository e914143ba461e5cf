/**
 * How a model file's bytes divide: the input embedding table (a lookup, never streamed), the output
 * head (read for every token), the dense part of each block and its experts. Decode streams what a
 * token reads; offload placement moves whole parts between VRAM and host RAM.
 */
import type { ModelSpec, QuantFamily } from '../catalog/specs.js';

/** MXFP4 stores experts at 4.25 bits; gpt-oss keeps attention and embeddings at higher precision. */
const MXFP4_EXPERT_BPW = 4.25;
/**
 * A mixture of experts whose layout nothing states (an ad-hoc spec with fewer active than total
 * parameters): 8 of 128 experts routed, the layout of Qwen3-30B-A3B and -235B-A22B (an estimate).
 */
const ASSUMED_MOE = { experts: 128, activeExperts: 8 };

/** The expert layout of a mixture of experts (stated, or assumed for an ad-hoc spec), or undefined for a dense model. */
export function moeLayoutOf(model: ModelSpec): { experts: number; activeExperts: number } | undefined {
  const moe = model.moe ?? (model.activeParamsB < 0.9 * model.paramsB ? ASSUMED_MOE : undefined);
  return moe && model.activeParamsB < model.paramsB && moe.activeExperts < moe.experts ? moe : undefined;
}

/**
 * Graph nodes of one dense block at one token in llama.cpp (Llama/Qwen): two norms with their
 * scales, Q/K/V, rope on Q and K, two KV-cache writes, attention, the output projection, gate, up,
 * the activation, down and two residual adds, ~24. The per-layer cost fitted on dense models is
 * this many kernels' fixed cost.
 */
export const DENSE_BLOCK_KERNELS = 24;
/**
 * Nodes a MoE block adds at one token (llama.cpp's build_moe_ffn): the router matmul, softmax,
 * top-k, the gather of the chosen weights, their renormalisation (sum, divide) and the weighting
 * of the experts' outputs; the expert matmuls replace gate/up/down one for one. The experts'
 * outputs are then summed, one add per expert used beyond the first.
 */
export const MOE_ROUTING_KERNELS = 7;

/**
 * How many more kernels a MoE block launches than a dense one, as a share of a dense block's:
 * a per-layer cost fitted on dense models costs (1 + this) per MoE layer. Qwen3-30B-A3B (8
 * experts used) 0.58, gpt-oss (4) 0.42, Mixtral (2) 0.33; 0 for a dense model.
 */
export function moeKernelShare(model: ModelSpec): number {
  const moe = moeLayoutOf(model);
  if (!moe) return 0;
  return (MOE_ROUTING_KERNELS + moe.activeExperts - 1) / DENSE_BLOCK_KERNELS;
}

/**
 * Tokens per expert at which an expert GEMM reaches half the throughput it has with many tokens:
 * a micro-batch of n tokens gives each expert n x k / E of them, and the GEMM's tiles (64-128
 * wide) run mostly empty below that. From llama.cpp's own MoE prefill series (PR #26977, master
 * column, OLMoE 64 experts / 8 used): 8, 16, 32 and 64 tokens per expert run at 0.20, 0.32,
 * 0.55 and 0.80 of the 128-token throughput, which t / (t + 48) matches within 0.03.
 */
export const EXPERT_GEMM_HALF_TOKENS = 48;
/**
 * The same for MLX's sorted gather_qmm (mlx-lm's SwitchGLU sorts a prompt's tokens by expert): its
 * tiles are 16 tokens tall (gather_qmm_rhs, bm = 16), and at ~43 tokens per expert it reaches 69% of
 * a dense quantized matmul of the same FLOPs (ml-explore/mlx issue #4246, M3 Ultra), which
 * t / (t + 19) gives: 43 x (1 / 0.69 - 1) = 19.3.
 */
export const MLX_EXPERT_GEMM_HALF_TOKENS = 19;

/**
 * All the experts' parameters, in billions (0 for a dense model). The totals give them: P = D + X
 * and A = D + X k/E, so X = (P - A) / (1 - k/E), when both counts hold the same tables. OpenAI
 * states gpt-oss's active count without the input embedding (its model card: gpt-oss-120b 5.13 B =
 * 0.96 B attention + 0.58 B head + 4/128 of 114.7 B experts; gpt-oss-20b 3.61 B), so that
 * reading gives the experts the input embedding's share of the total as well: gpt-oss-120b
 * 115.3 B where its shapes give 36 blocks x 128 experts x 24.9 M = 114.7 B, and its blocks 0.34 B
 * of attention where they hold 0.96 B. Such a count is told apart by what the reading leaves the
 * blocks: every MoE whose count holds both tables keeps more dense weight in its blocks than in
 * one embedding table (attention, routers, shared experts: Qwen3-30B-A3B 2.8 tables, MiniMax M2
 * 2.7, Gemma 4 26B 2.2, Mixtral 10, gpt-oss-20b at its true 4.19 B 1.1), while gpt-oss read
 * with the table in leaves less (120b 0.59 tables, 20b none). Then the input embedding is taken
 * out of the total first (gpt-oss-120b 114.7 B, gpt-oss-20b 19.1 B, as their shapes give).
 */
export function expertParamsB(model: ModelSpec): number {
  const moe = moeLayoutOf(model);
  if (!moe) return 0;
  const share = moe.activeExperts / moe.experts;
  const experts = (total: number) => Math.min(model.paramsB, (total - model.activeParamsB) / (1 - share));
  return leavesOutInputEmbedding(model)
    ? Math.max(0, experts(model.paramsB - model.embeddingParamsB))
    : experts(model.paramsB);
}

/**
 * Whether a catalog MoE's stated active count leaves out the input embedding (above). Only a model
 * whose layout and shapes are stated is read so: a size-only spec ("30b-a3b") has an assumed layout
 * and a guessed embedding, whose split says nothing about how its count was stated.
 */
function leavesOutInputEmbedding(model: ModelSpec): boolean {
  const moe = moeLayoutOf(model);
  if (!moe || !model.moe || model.architectureEstimated || model.tiedEmbeddings) return false;
  const x = Math.min(model.paramsB, (model.paramsB - model.activeParamsB) / (1 - moe.activeExperts / moe.experts));
  return model.paramsB - x - 2 * model.embeddingParamsB < model.embeddingParamsB;
}

/**
 * The active parameters with the input embedding counted, in billions: a count stated without it
 * (gpt-oss 3.61 -> 4.19 B) gains the table; one that holds it, as most do, is returned as it stands
 * (never re-derived from the experts' split, which a size-only spec clamps).
 */
export function activeParamsWithEmbeddingB(model: ModelSpec): number {
  return leavesOutInputEmbedding(model) ? model.activeParamsB + model.embeddingParamsB : model.activeParamsB;
}

/** Parameters of the routed experts a token runs through, in billions (0 for a dense model). */
export function routedExpertParamsB(model: ModelSpec): number {
  const moe = moeLayoutOf(model);
  return moe ? (expertParamsB(model) * moe.activeExperts) / moe.experts : 0;
}

/**
 * The share of a dense GEMM's throughput that a micro-batch of `tokens` reaches in the expert
 * GEMMs: each expert sees tokens x k / E of them, against a dense weight that sees them all.
 * 1 for a dense model.
 */
export function expertGemmShare(
  model: ModelSpec,
  tokens: number,
  halfTokens: number = EXPERT_GEMM_HALF_TOKENS,
): number {
  const moe = moeLayoutOf(model);
  if (!moe) return 1;
  const perExpert = (tokens * moe.activeExperts) / moe.experts;
  const fill = (t: number) => t / (t + halfTokens);
  return Math.min(1, fill(perExpert) / fill(tokens));
}

export interface WeightSplit {
  /** The input embedding table when it is not shared with the head (stored, not streamed). */
  embeddingGB: number;
  /** The output head as stored (a tied table is stored here once) and as read per token. */
  headStoredGB: number;
  headReadGB: number;
  /** Per block: the dense part (attention, norms, shared experts), read in full for every token. */
  layerDenseGB: number;
  /** Per block: all its experts as stored, and the routed share a token reads. */
  layerExpertGB: number;
  layerExpertReadGB: number;
  /** Per block: the dense part's parameters, in billions (sizes the attention, see attentionWidth). */
  layerDenseParamsB: number;
  /** The output head's parameters, in billions (a prompt runs it for its last token only). */
  headParamsB: number;
}

/**
 * For MoE the expert parameters follow from the totals (expertParamsB). In an MXFP4-native file the experts sit at 4.25 bits and the dense part
 * holds the rest of the bytes, which makes a gpt-oss token read more than its active share.
 */
export function splitWeights(model: ModelSpec, weightsGB: number, family?: QuantFamily): WeightSplit {
  const fileBpw = (weightsGB * 8) / model.paramsB;
  const L = Math.max(1, model.layers);
  let expertParams = 0;
  let routedShare = 0;
  let expertBpw = fileBpw;
  let denseBpw = fileBpw;
  const moe = moeLayoutOf(model);
  if (moe) {
    routedShare = moe.activeExperts / moe.experts;
    expertParams = expertParamsB(model);
    const denseParams = model.paramsB - expertParams;
    // gpt-oss GGUFs keep MXFP4 experts whatever the file's label (Q4_K_M repacks only the rest).
    const mxfp4Experts = family === 'mxfp4' || (model.nativeQuant === 'MXFP4' && fileBpw < 6);
    if (mxfp4Experts && denseParams > 0) {
      expertBpw = Math.min(fileBpw, MXFP4_EXPERT_BPW);
      denseBpw = Math.max(fileBpw, (weightsGB * 8 - expertParams * expertBpw) / denseParams);
    }
  }
  const denseParams = model.paramsB - expertParams;
  const inputOnly = model.tiedEmbeddings ? 0 : model.embeddingParamsB;
  // Guard for ad-hoc specs whose embedding estimate is out of proportion to a tiny model.
  const denseRead = Math.max(denseParams - inputOnly, denseParams * 0.5);
  const headRead = Math.min(model.embeddingParamsB, denseRead);
  const layersDense = denseRead - headRead;
  const gb = (params: number, bpw: number) => (params * bpw) / 8;
  return {
    embeddingGB: gb(Math.max(0, denseParams - layersDense - headRead), denseBpw),
    headStoredGB: gb(headRead, denseBpw),
    headReadGB: gb(headRead, denseBpw),
    layerDenseGB: gb(layersDense, denseBpw) / L,
    layerExpertGB: gb(expertParams, expertBpw) / L,
    layerExpertReadGB: gb(expertParams * routedShare, expertBpw) / L,
    layerDenseParamsB: layersDense / L,
    headParamsB: headRead,
  };
}

/**
 * The width of attention (query heads x head dim), which sets its FLOPs: estimated from each
 * block's dense parameters. A dense block is ~13 h^2 (attention ~2.5 h^2 with grouped KV heads, a
 * SwiGLU MLP ~10.5 h^2: Llama 3 8B 13.0, 70B 12.7); a MoE block's dense part is mostly attention,
 * 2 h^2 for Q and O plus 2 h x the KV width.
 */
export function attentionWidth(model: ModelSpec, weightsGB: number, family?: QuantFamily): number {
  const w = splitWeights(model, weightsGB, family);
  const p = w.layerDenseParamsB * 1e9;
  const kv = model.kvHeads * model.headDim;
  // Floors where the parameter counts leave too little for attention (gpt-oss's stated active
  // count): dense models with up to 8 KV heads group at least 4 query heads per KV head (Llama 3
  // 8B 4, 70B 8), with more KV heads at least 2 (Gemma 3); MoE models group 8 as a rule
  // (Qwen3-30B-A3B, gpt-oss, Qwen3-Next 8; Mixtral 4, Qwen3-235B 16).
  if (w.layerExpertGB === 0) return Math.max(kv * (model.kvHeads <= 8 ? 4 : 2), Math.sqrt(p / 13));
  return Math.max(kv * 8, (-kv + Math.sqrt(kv * kv + 2 * p)) / 2);
}

/** Context tokens the attention layers read, summed over layers, at a context of `tokens`. */
export function attendedTokens(model: ModelSpec, tokens: number): number {
  const a = model.attention;
  const L = model.layers;
  switch (a.kind) {
    case 'sliding': {
      const globals = Math.min(a.globalLayers, L);
      return globals * tokens + (L - globals) * Math.min(tokens, a.window);
    }
    case 'hybrid':
      return Math.min(a.fullLayers, L) * tokens;
    case 'mla':
    case 'full':
      return L * tokens;
  }
}

/** Weights read per generated token: the dense part and the head in full, the routed share of the experts. */
export function streamedWeightsGB(model: ModelSpec, weightsGB: number, family?: QuantFamily): number {
  const w = splitWeights(model, weightsGB, family);
  return w.headReadGB + Math.max(1, model.layers) * (w.layerDenseGB + w.layerExpertReadGB);
}
