import { describe, expect, it } from 'vitest';
import { buildCatalog, CatalogError } from '../../src/core/catalog/catalog.js';
import hardware from '../../data/hardware.json' with { type: 'json' };
import models from '../../data/models.json' with { type: 'json' };
import quants from '../../data/quants.json' with { type: 'json' };
import benchmarks from '../../data/benchmarks.json' with { type: 'json' };
import workflows from '../../data/workflows.json' with { type: 'json' };
import calibration from '../../data/calibration.json' with { type: 'json' };
import { catalog } from '../helpers/catalog.js';

const CONTRACT_IDS = ['rtx-5090', 'mac-studio-m4-max-128gb', 'mac-studio-m4-max-36gb', 'rtx-4090', 'rtx-3090', 'rtx-5060-ti-16gb', 'mac-mini-m4-pro-64gb', 'mac-studio-m3-ultra-512gb', 'dgx-spark', 'ryzen-ai-max-395-128gb', '2x-rtx-5090'];

/** Every number under a device (other than ids/counts) must sit in a {value|low/high, source} object. */
function unsourcedNumbers(o: unknown, path: string, out: string[], sourced = false) {
  if (Array.isArray(o)) o.forEach((v, i) => unsourcedNumbers(v, `${path}[${i}]`, out, sourced));
  else if (o && typeof o === 'object') {
    const has = 'source' in o && typeof (o as { source: unknown }).source === 'string';
    for (const [k, v] of Object.entries(o)) unsourcedNumbers(v, `${path}.${k}`, out, sourced || has);
  } else if (typeof o === 'number' && !sourced) out.push(path);
}

describe('data/', () => {
  it('lists every catalog id of the contract', () => {
    for (const id of CONTRACT_IDS) expect(catalog.device(id), id).toBeDefined();
  });

  it('every hardware and benchmark number carries a source or an estimate mark', () => {
    const out: string[] = [];
    for (const d of catalog.files.hardware.devices) {
      const { gpus: _g, ...figures } = d;
      unsourcedNumbers(figures, d.id, out);
    }
    unsourcedNumbers(catalog.files.benchmarks.reported, 'reported', out);
    expect(out).toEqual([]);
  });

  it('every model names the source of its architecture and of each file size', () => {
    for (const m of catalog.files.models.models) {
      expect(catalog.source('models', m.source), m.id).toBeDefined();
      for (const [q, f] of Object.entries(m.fileGB)) expect(catalog.source('models', f.source), `${m.id} ${q}`).toBeDefined();
    }
  });

  it('known GGUF sizes agree with the bits-per-weight physics within 10%', () => {
    for (const m of catalog.models) {
      for (const [q, gb] of Object.entries(m.fileGB)) {
        const bpw = catalog.quant(q)!.bitsPerWeight;
        const ratio = gb / ((m.paramsB * bpw) / 8);
        expect(ratio, `${m.id} ${q}: ${gb} GB`).toBeGreaterThan(0.85);
        expect(ratio, `${m.id} ${q}: ${gb} GB`).toBeLessThan(1.12);
      }
    }
  });

  it("every chip's figures are physically plausible, and a shader rate spelled in a note is its value", () => {
    let spelled = 0;
    for (const c of catalog.chips) {
      const tf = c.fp16Tflops.value;
      expect(tf, `${c.id} fp16Tflops`).toBeGreaterThan(0.05);
      expect(tf, `${c.id} fp16Tflops`).toBeLessThan(5000);
      expect(c.bandwidthGBs.value, `${c.id} bandwidthGBs`).toBeGreaterThan(5);
      expect(c.bandwidthGBs.value, `${c.id} bandwidthGBs`).toBeLessThan(20000);
      // "2304 SP x 2 x 2 x 1.725 GHz": stream processors x FMA x packed FP16 x clock, in TFLOPS.
      const m = /(\d+) SP x 2 x (?:2 x )?([\d.]+) GHz/.exec(c.fp16Tflops.note ?? '');
      if (!m) continue;
      spelled++;
      const factors = c.fp16Tflops.note!.includes('x 2 x 2 x') ? 4 : 2;
      const rate = (Number(m[1]) * factors * Number(m[2])) / 1000;
      expect(Math.abs(tf / rate - 1), `${c.id}: ${tf} against ${c.fp16Tflops.note}`).toBeLessThan(0.02);
    }
    expect(spelled).toBeGreaterThan(10);
  });

  it('a broken cross-reference stops the load with a message naming it', () => {
    const bad = structuredClone(benchmarks);
    bad.reported[0]!.device = 'rtx-9090';
    expect(() => buildCatalog({ hardware, models, quants, benchmarks: bad, workflows, calibration })).toThrow(CatalogError);
    expect(() => buildCatalog({ hardware, models, quants, benchmarks: bad, workflows, calibration })).toThrow(/rtx-9090/);
  });

  it('a source key that is not in the bibliography is refused', () => {
    const bad = structuredClone(hardware);
    bad.devices[0]!.bandwidthGBs.source = 'my-memory';
    expect(() => buildCatalog({ hardware: bad, models, quants, benchmarks, workflows, calibration })).toThrow(/my-memory/);
  });
});
