/** Reading data/media-runs.csv into diffusion points: which chip figure a row gets, and which rows are left out. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { fp16TflopsOf, loadMediaRuns } from '../../scripts/diffusion-points.js';

const catalog = loadCatalog();
const { runs, skipped } = loadMediaRuns(catalog);

describe('diffusion points', () => {
  it('takes the FP16 rate of the bin the row names: a 128 GB M4 Max has the 40-core GPU', () => {
    const m4max = catalog.chip('m4-max')!;
    expect(fp16TflopsOf(m4max, 'MacBook Pro M4 Max 128GB')).toBe(16.16);
    expect(fp16TflopsOf(m4max, 'M4 Max')).toBe(m4max.fp16Tflops.value);
    // A size the chip never shipped with falls back to the chip's figure.
    expect(fp16TflopsOf(m4max, 'M4 Max 12GB')).toBe(m4max.fp16Tflops.value);
  });

  it('leaves out runtimes the model does not describe, each with its reason', () => {
    const reasons = skipped.map((s) => s.why);
    expect(reasons.some((w) => w.startsWith('runtime not modelled: ROCm 6.3'))).toBe(true);
    expect(reasons.some((w) => w.includes('OpenVINO'))).toBe(true);
    for (const r of runs) {
      expect(r.row.note).not.toMatch(/not-modelled:/i);
      expect(`${r.row.runtime} ${r.row.note}`).not.toMatch(/directml|onnx|openvino|zluda/i);
    }
  });

  it("leaves out A1111's split attention by the run's own setting, not a mention of another setting", () => {
    expect(skipped.filter((s) => s.why.startsWith('A1111 split attention')).length).toBeGreaterThan(0);
    for (const r of runs)
      expect(r.row.note).not.toMatch(/attention (doggettx|invokeai)|; (doggettx|invokeai) attention;/i);
    // The Arc A770 SDXL run used SDP attention; its note mentions InvokeAI only for a run at another size.
    expect(runs.some((r) => r.row.device_id === 'arc-a770' && r.row.model_id === 'sdxl')).toBe(true);
  });

  it('keeps no Ada run on a PyTorch 1.x build (cuDNN 8.5 has no Ada kernels)', () => {
    for (const r of runs) {
      const chip = catalog.chip(r.row.device_id)!;
      if (chip.backend === 'cuda' && chip.released >= '2022-10') expect(r.row.note).not.toMatch(/torch:1\./);
    }
    expect(skipped.filter((s) => s.why.startsWith('PyTorch 1.x')).length).toBeGreaterThan(0);
  });

  it("weighs each fit run 1/sqrt(n) of its source's n fit runs, so one benchmark table does not outvote the rest", () => {
    const fit = runs.filter((r) => !r.holdout);
    const bySource = new Map<string, number>();
    for (const r of fit) bySource.set(r.row.source_url, (bySource.get(r.row.source_url) ?? 0) + 1);
    for (const r of fit) expect(r.point.weight).toBeCloseTo(1 / Math.sqrt(bySource.get(r.row.source_url)!), 12);
    // Together a source's rows weigh sqrt(n): more than one run, less than n independent ones.
    const vlad = fit.filter((r) => r.row.source_url.includes('sd-extension-system-info'));
    expect(vlad.length).toBeGreaterThan(4);
    const total = vlad.reduce((s, r) => s + r.point.weight!, 0);
    expect(total).toBeCloseTo(Math.sqrt(vlad.length), 9);
  });

  it('holds out the same runs whoever reads them (a hash of source and device)', () => {
    const again = loadMediaRuns(catalog).runs.map((r) => r.holdout);
    expect(again).toEqual(runs.map((r) => r.holdout));
  });
});
