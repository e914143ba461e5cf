/** The verdict's cost and sources sections, the same for a model's verdict and the overview. */
import type { Catalog, CatalogFileName } from '../catalog/catalog.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { NormalizedQuery } from '../query/query.js';
import type { Verdict } from './types.js';

/** The sources a verdict rests on: the devices' spec and price sources, reported figures, the calibration. */
export function sourcesFor(catalog: Catalog, evals: DeviceEvaluation[]): Verdict['sources'] {
  const keys = new Map<string, { file: CatalogFileName; key: string }>();
  for (const e of evals) {
    const rec = catalog.device(e.id)!.record;
    for (const f of [rec.memoryGB, rec.bandwidthGBs, rec.power.loadW, rec.priceUSD])
      keys.set(`hardware:${f.source}`, { file: 'hardware', key: f.source });
    for (const r of e.reported) keys.set(`benchmarks:${r.source}`, { file: 'benchmarks', key: r.source });
  }
  const out: Verdict['sources'] = [];
  for (const [id, { file, key }] of keys) {
    const s = catalog.source(file, key);
    if (s && s !== 'estimate') out.push({ id, title: s.title, ...(s.url ? { url: s.url } : {}), date: s.date });
  }
  out.push({
    id: 'calibration',
    title: `Speed model fitted on ${catalog.calibration.points} measured llama.cpp/MLX runs (${catalog.calibration.source})`,
    date: catalog.calibration.fittedAt,
  });
  return out;
}

export function costOf(evals: DeviceEvaluation[], q: NormalizedQuery): Verdict['cost'] {
  return {
    years: q.years,
    hoursPerDay: q.hoursPerDay,
    kwhPrice: q.kwhPrice,
    perDevice: evals.map((e) => ({ id: e.id, ...e.cost })),
  };
}
