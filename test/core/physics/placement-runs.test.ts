/** Reading data/offload-runs.csv into estimate queries: which runs are fitted, which held out, which left out and why. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/load.js';
import { isHeldOut, loadOffloadRuns } from '../../../scripts/offload-points.js';

const catalog = loadCatalog();
const { points, skipped } = loadOffloadRuns(catalog);

describe('offload runs', () => {
  it('holds out a third of the sources by hash, the same way every time, never by hand', () => {
    const row = { source: 'https://example.com/a (someone, 2026)', device: 'NVIDIA RTX 4070 12GB' };
    expect(isHeldOut(row)).toBe(isHeldOut({ ...row, source: 'https://example.com/a (another note)' }));
    for (const p of points) expect(p.holdout).toBe(isHeldOut(p.row));
    const held = points.filter((p) => p.holdout).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(points.length);
  });

  it('leaves out other runtimes and models whose expert layout the catalog does not know, with the reason', () => {
    const reasons = skipped.map((s) => s.why);
    expect(reasons.some((w) => w.startsWith('KTransformers'))).toBe(true);
    expect(reasons.some((w) => w.startsWith('ik_llama.cpp'))).toBe(true);
    expect(reasons.some((w) => w.startsWith('model not in the catalog'))).toBe(true);
    for (const p of points) expect(p.row.backend).not.toMatch(/KTransformers|ik_llama/i);
  });

  it('a run without the host RAM speed is left out (speed depends on it); one without its size is kept', () => {
    expect(skipped.some((s) => s.why.startsWith('host RAM speed or channels not stated'))).toBe(true);
    for (const p of points) {
      const d = p.query.device as unknown as { systemBandwidthGBs: number; systemMemoryGB: number };
      expect(d.systemBandwidthGBs).toBeGreaterThan(10);
      expect(d.systemMemoryGB).toBeGreaterThan(0);
    }
  });

  it("llama.cpp's own --fit placement is asked as the runtime's choice, not as a layer count", () => {
    const fit = points.filter((p) => p.row.gpu_layers === 'fit');
    expect(fit.length).toBeGreaterThan(0);
    for (const p of fit) {
      expect(p.query).toMatchObject({ runtime: 'llama.cpp' });
      expect(p.query).not.toHaveProperty('gpuLayers');
      expect(p.query).not.toHaveProperty('cpuMoeLayers');
    }
  });
});
