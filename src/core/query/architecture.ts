/**
 * A sensible architecture for a model known only by its size ("70b", "8x7b", a ModelSpec without
 * layers): modern GQA decoders cluster tightly, so layers follow the parameter count and hidden
 * size follows P ~ 12 x layers x hidden^2. Marked `architectureEstimated` wherever used.
 */
import type { ModelSpec } from '../catalog/specs.js';

/** (billions of parameters, layers) of well-known dense GQA models, for log interpolation. */
const LAYERS_BY_SIZE: [number, number][] = [
  [0.5, 24],
  [1, 16],
  [3, 28],
  [8, 32],
  [14, 48],
  [32, 64],
  [70, 80],
  [123, 88],
  [405, 126],
];
const DEFAULT_VOCAB = 128_000;

export function estimatedLayers(paramsB: number): number {
  const pts = LAYERS_BY_SIZE;
  if (paramsB <= pts[0]![0]) return pts[0]![1];
  for (let i = 1; i < pts.length; i++) {
    const [p1, l1] = pts[i]!;
    const [p0, l0] = pts[i - 1]!;
    if (paramsB <= p1) {
      const t = Math.log(paramsB / p0) / Math.log(p1 / p0);
      return Math.round(l0 + t * (l1 - l0));
    }
  }
  return pts[pts.length - 1]![1];
}

export interface ArchitectureHints {
  id?: string;
  name?: string;
  paramsB: number;
  activeParamsB?: number;
  layers?: number;
  kvHeads?: number;
  headDim?: number;
  maxContext?: number;
  fileGB?: Record<string, number>;
}

export function estimateArchitecture(h: ArchitectureHints): ModelSpec {
  const active = Math.min(h.activeParamsB ?? h.paramsB, h.paramsB);
  // MoE attention is sized like a dense model between the active and total size.
  const sizeForShape = active < h.paramsB ? Math.sqrt(active * h.paramsB) : h.paramsB;
  const layers = h.layers ?? estimatedLayers(sizeForShape);
  const hidden = Math.sqrt((sizeForShape * 1e9) / (12 * layers));
  const guessed = h.layers === undefined || h.kvHeads === undefined || h.headDim === undefined;
  return {
    id: h.id ?? `custom-${h.paramsB}b`,
    name: h.name ?? `${h.paramsB}B model`,
    paramsB: h.paramsB,
    activeParamsB: active,
    embeddingParamsB: Math.min((DEFAULT_VOCAB * hidden) / 1e9, active * 0.25),
    tiedEmbeddings: false,
    layers,
    kvHeads: h.kvHeads ?? 8,
    headDim: h.headDim ?? 128,
    maxContext: h.maxContext ?? 131_072,
    attention: { kind: 'full' },
    fileGB: h.fileGB ?? {},
    architectureEstimated: guessed,
  };
}
