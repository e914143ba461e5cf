/** Also consider: devices or a smaller quantization that would hold the model where the pair cannot. */
import type { Catalog, CatalogModel, CatalogQuant } from '../catalog/catalog.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import { estimateMemory } from '../physics/memory.js';
import type { NormalizedQuery } from '../query/query.js';
import { fmt } from './format.js';
import type { AlsoConsider } from './types.js';

export function alsoConsiderFor(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  quant: CatalogQuant,
  q: NormalizedQuery,
): AlsoConsider[] {
  const out: AlsoConsider[] = [];
  const inPair = new Set(evals.map((e) => e.id));
  const fitsOnGpuSomewhere = evals.some((e) => e.fit === 'gpu');
  if (!fitsOnGpuSomewhere) {
    const fitting = catalog.devices
      .filter((d) => !inPair.has(d.id))
      .map((d) => ({ d, m: estimateMemory(d, model, quant, q.contextTokens) }))
      .filter((x) => x.m.fit === 'gpu')
      .sort((x, y) => x.d.record.priceUSD.low - y.d.record.priceUSD.low)
      .slice(0, 2);
    for (const { d, m } of fitting)
      out.push({
        id: d.id,
        name: d.name,
        why: `holds ${model.name} ${quant.id} (${fmt.gb(m.requiredGB)} GB of ${fmt.gb(m.raisedAvailableGB ?? m.availableGB)} GB) from ${fmt.usd(d.record.priceUSD.low)}.`,
      });
  }
  // A smaller quantization that brings the model onto a GPU that cannot hold it now.
  const misfit = evals.find((e) => e.fit !== 'gpu');
  if (misfit) {
    const device = catalog.device(misfit.id)!;
    const smaller = catalog.quants
      .filter((x) => x.bitsPerWeight < quant.bitsPerWeight && x.backends.includes(device.backend) && x.family !== 'mlx')
      .sort((x, y) => y.bitsPerWeight - x.bitsPerWeight)
      .find((x) => estimateMemory(device, model, x, q.contextTokens).fit === 'gpu');
    if (smaller) {
      const m = estimateMemory(device, model, smaller, q.contextTokens);
      out.push({
        name: `${model.name} ${smaller.id}`,
        why: `fits ${misfit.shortName} (${fmt.gb(m.requiredGB)} GB); ${smaller.record.quality.charAt(0).toLowerCase()}${smaller.record.quality.slice(1)}`,
      });
    }
  }
  const dual = catalog.device('2x-rtx-5090');
  if (dual && !inPair.has(dual.id) && evals.some((e) => e.backend === 'cuda' && e.fit !== 'gpu')) {
    const m = estimateMemory(dual, model, quant, q.contextTokens);
    if (m.fit === 'gpu')
      out.push({
        id: dual.id,
        name: dual.name,
        why: `64 GB of VRAM holds it (${fmt.gb(m.requiredGB)} GB) at CUDA speed, from ${fmt.usd(dual.record.priceUSD.low)}.`,
      });
  }
  return out.slice(0, 3);
}
