/** A model the catalog does not know, named only by its size ("70b", "8x7b", "30b-a3b"). */
import type { ModelRecord } from '../catalog/schema.js';
import type { CatalogModel } from '../catalog/catalog.js';
import { estimateArchitecture } from './architecture.js';
import { safeEcho } from './echo.js';

export const SIZE = /^(\d+(?:\.\d+)?)b$/;
export const MOE_SIZE = /^(\d+)x(\d+(?:\.\d+)?)b$/;
export const ACTIVE = /^a(\d+(?:\.\d+)?)b$/;
/** A token that only states a size. */
export const isSizeToken = (t: string) => SIZE.test(t) || MOE_SIZE.test(t) || ACTIVE.test(t);

/**
 * "70b", "8x7b", "30b-a3b": a model we do not know, shaped like the models we do. MoE totals for
 * "NxMb" follow Mixtral (shared attention makes 8x7B 46.7B, two experts active).
 */
export function estimateFromSize(tokens: string[], text: string): CatalogModel | undefined {
  let paramsB: number | undefined;
  let activeParamsB: number | undefined;
  let moe: { experts: number; activeExperts: number } | undefined;
  for (const t of tokens) {
    const moeMatch = MOE_SIZE.exec(t);
    const size = SIZE.exec(t);
    const active = ACTIVE.exec(t);
    if (moeMatch) {
      const experts = Number(moeMatch[1]);
      const each = Number(moeMatch[2]);
      paramsB = experts * each * 0.834;
      activeParamsB = Math.min(paramsB, 2 * each * 0.92);
      moe = { experts, activeExperts: Math.min(2, experts) };
    } else if (size && paramsB === undefined) paramsB = Number(size[1]);
    else if (active) activeParamsB = Number(active[1]);
  }
  if (paramsB === undefined || !(paramsB > 0) || paramsB > 5000) return undefined;
  paramsB = round1(paramsB);
  if (activeParamsB !== undefined) activeParamsB = round1(activeParamsB);
  if (activeParamsB !== undefined && activeParamsB < paramsB && !moe) moe = { experts: 128, activeExperts: 8 };
  const label = safeEcho(text, 60) || `${round1(paramsB)}B`;
  const spec = estimateArchitecture({
    id: `estimated-${paramsB}b${activeParamsB && activeParamsB < paramsB ? `-a${activeParamsB}b` : ''}`,
    name: `${label} (unknown; estimated as a ${round1(paramsB)}B${activeParamsB && activeParamsB < paramsB ? ` MoE, ${round1(activeParamsB)}B active` : ' dense'} model)`,
    paramsB,
    ...(activeParamsB !== undefined ? { activeParamsB } : {}),
  });
  const withMoe = { ...spec, ...(moe ? { moe } : {}) };
  const record: ModelRecord = {
    id: withMoe.id,
    name: withMoe.name,
    family: 'unknown',
    aliases: [],
    ollama: [],
    huggingface: [],
    released: '2026-01',
    paramsB: withMoe.paramsB,
    activeParamsB: withMoe.activeParamsB,
    embeddingParamsB: withMoe.embeddingParamsB,
    tiedEmbeddings: false,
    layers: withMoe.layers,
    kvHeads: withMoe.kvHeads,
    headDim: withMoe.headDim,
    maxContext: withMoe.maxContext,
    attention: { kind: 'full' },
    ...(moe ? { moe } : {}),
    fileGB: {},
    source: 'estimate',
    notes: ['Architecture estimated from the parameter count.'],
    tags: [],
  };
  return { ...withMoe, record };
}

function round1(x: number) {
  return Math.round(x * 10) / 10;
}
