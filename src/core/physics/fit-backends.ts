/**
 * The per-backend loop the diffusion and fine-tuning fits share: backends with the most runs first;
 * the first fits its own fixed overhead, later ones only with enough runs of their own, else they
 * borrow the first one's. Each backend's efficiency and overhead come from `fitBackend`.
 */
import type { Backend } from '../catalog/schema.js';

interface PerBackend {
  efficiency: Partial<Record<Backend, number>>;
  overheadSec: Partial<Record<Backend, number>>;
}

export function fitBackends<P extends { device: { backend: Backend } }, F extends PerBackend>(
  points: P[],
  start: F,
  fitBackend: (
    ps: P[],
    fit: F,
    backend: Backend,
    overheads: number[],
  ) => { eff: number; overhead: number; err: number },
  overheads: number[],
  minPointsForOverhead: number,
): { fit: F; err: number } {
  const byBackend = new Map<Backend, P[]>();
  for (const p of points) byBackend.set(p.device.backend, [...(byBackend.get(p.device.backend) ?? []), p]);
  const ordered = [...byBackend.entries()].sort((a, b) => b[1].length - a[1].length);
  let fit = start;
  let err = 0;
  let borrowed = 0;
  for (const [i, [backend, ps]] of ordered.entries()) {
    const own = i === 0 || ps.length >= minPointsForOverhead;
    const b = fitBackend(ps, fit, backend, own ? overheads : [borrowed]);
    if (i === 0) borrowed = b.overhead;
    fit = {
      ...fit,
      efficiency: { ...fit.efficiency, [backend]: b.eff },
      overheadSec: { ...fit.overheadSec, [backend]: b.overhead },
    };
    err += b.err;
  }
  return { fit, err };
}
