/**
 * A model's quality for a workflow from the public boards in data/quality.json: scores compare only
 * within a board, so each is normalized among the catalog's models on it, weighted by how much the
 * board counts, and averaged over the boards the model has (LLM, image and video plans alike).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { Benchmark } from '../catalog/quality-schema.js';
import type { PickQuality } from './types.js';

/** A workflow's benchmarks, most telling first. */
export function benchmarksFor(catalog: Catalog, workflow: string): Benchmark[] {
  return (catalog.quality?.benchmarks ?? []).filter((b) => (b.workflows as string[]).includes(workflow));
}

/**
 * The model's quality for the workflow: each benchmark's score normalized to 0-100 within that
 * benchmark's scores in the catalog (scores compare only within a benchmark) and weighted by how
 * much the board counts, averaged over the workflow's boards the model has; the score shown is the
 * most telling one it has.
 */
export function qualityOf(
  catalog: Catalog,
  model: { id: string },
  benchmarks: Benchmark[],
): { quality: PickQuality; normalized: number } | null {
  const q = catalog.quality;
  if (!q) return null;
  let shown: PickQuality | undefined;
  const normalized: [score: number, weight: number][] = [];
  for (const b of benchmarks) {
    const all = q.scores.filter((s) => s.benchmark === b.id);
    // The model as the catalog names it (a row without a variant) first, else its newest variant.
    const mine = all
      .filter((s) => s.model === model.id)
      .sort(
        (x, y) => Number(x.variant !== undefined) - Number(y.variant !== undefined) || y.date.localeCompare(x.date),
      )[0];
    if (!mine) continue;
    const values = all.map((s) => s.score);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const raw = hi > lo ? ((mine.score - lo) / (hi - lo)) * 100 : 100;
    normalized.push([b.higherIsBetter ? raw : 100 - raw, b.weight]);
    shown ??= {
      score: mine.score,
      benchmark: b.name,
      measures: b.measures,
      source: q.sources[mine.source]?.title ?? mine.source,
      date: mine.date,
      ...(mine.variant ? { variant: mine.variant } : {}),
    };
  }
  if (!shown) return null;
  // The weighted mean of the boards it has, discounted by its most telling board's weight: more
  // boards never lower a model, and one scored only on a weaker board counts for less.
  const weights = normalized.reduce((a, [, w]) => a + w, 0);
  const mean = normalized.reduce((a, [n, w]) => a + n * w, 0) / weights;
  return { quality: shown, normalized: mean * Math.max(...normalized.map(([, w]) => w)) };
}
