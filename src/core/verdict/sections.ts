/** The verdict's cost and sources sections, the same for a model's verdict and the overview. */
import type { Catalog, CatalogFileName } from '../catalog/catalog.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { NormalizedQuery } from '../query/query.js';
import type { Verdict } from './types.js';

/** The sources a verdict rests on: the devices' spec and price sources, reported figures, the calibrations it used. */
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
  const power = catalog.powerCalibration;
  if (power) {
    const measured = evals.filter((e) => Object.values(e.power.activities).some((a) => a.basis === 'measured'));
    out.push({
      id: 'power',
      title: `Power by activity fitted on ${power.points} published readings (${power.source})${measured.length ? `; measured readings of ${measured.map((e) => e.shortName).join(', ')} from the same file` : ''}`,
      date: power.fittedAt,
    });
  }
  const serving = catalog.servingCalibration;
  if (serving && evals.some((e) => e.serving))
    out.push({
      id: 'serving',
      title: `Serving model fitted on ${serving.points} measured concurrent runs (${serving.source})`,
      date: serving.fittedAt,
    });
  const fineTune = catalog.fineTuneCalibration;
  if (fineTune && evals.some((e) => e.fineTune.some((f) => f.tokensPerSec !== null)))
    out.push({
      id: 'finetune',
      title: `Fine-tuning speed fitted on ${fineTune.points} measured training runs (${fineTune.source})`,
      date: fineTune.fittedAt,
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
