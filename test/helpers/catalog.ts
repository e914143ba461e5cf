import { loadCatalog } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/core/catalog/catalog.js';

export const catalog: Catalog = loadCatalog();

export function device(id: string) {
  const d = catalog.device(id);
  if (!d) throw new Error(`no device ${id}`);
  return d;
}
export function model(id: string) {
  const m = catalog.model(id);
  if (!m) throw new Error(`no model ${id}`);
  return m;
}
export function quant(id: string) {
  const q = catalog.quant(id);
  if (!q) throw new Error(`no quant ${id}`);
  return q;
}
