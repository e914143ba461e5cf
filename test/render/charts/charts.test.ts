/**
 * What each chart shows: the machines and the figures of the answer it is drawn from, the alt text
 * that says them, which chart an answer gets, and no chart (never an exception) without the data.
 */
import { describe, expect, it } from 'vitest';
import { fmt, fmtUsdBand, type Plan, type Verdict } from '../../../src/core/index.js';
import { depthCurves, kLabel } from '../../../src/render/charts/decode-depth.js';
import { fmtDuration } from '../../../src/render/charts/dots.js';
import { ALT_MAX, chartForPlan, chartForVerdict, verdictPanels } from '../../../src/render/charts/index.js';
import { catalog, everyVerdictFor, model, planned, verdict } from '../../helpers/catalog.js';

/** The SVG's text, as a reader sees it. */
function textOf(svg: string): string {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
    .map((m) =>
      m[1]!
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    )
    .join('\n');
}

const LLAMA_70B = verdict({ model: 'llama 3.3 70b', contextTokens: 32768 });

describe('decode against context depth', () => {
  const c = chartForVerdict(LLAMA_70B)!;
  const shown = textOf(c.svg);

  it('names both machines and prints each one’s figure at the question’s depth and at full context', () => {
    expect(shown).toMatch(/Decode speed as the 32k context fills/);
    const curves = depthCurves(LLAMA_70B, catalog)!;
    for (const e of LLAMA_70B.devices) {
      expect(shown).toContain(e.shortName);
      expect(shown).toContain(`~${fmt.tps(e.decodeTokensPerSec!)}`);
      expect(shown).toContain(fmt.tps(curves.get(e.id)!.at(-1)!.tps));
    }
    expect(shown).toContain('RTX 5090 (offload)');
  });

  it('says the machines and figures in its alt text', () => {
    for (const e of LLAMA_70B.devices) {
      expect(c.alt).toContain(e.shortName);
      expect(c.alt).toContain(`~${fmt.tps(e.decodeTokensPerSec!)} tok/s`);
    }
    expect(c.alt.split(/\.\s/).length).toBeLessThanOrEqual(2);
  });

  it('passes through the verdict’s own figure and band, slowing as the context fills', () => {
    const curves = depthCurves(LLAMA_70B, catalog)!;
    for (const e of LLAMA_70B.devices) {
      const curve = curves.get(e.id)!;
      expect(curve[0]!.depth).toBe(0);
      expect(curve.at(-1)!.depth).toBe(32768);
      for (let i = 1; i < curve.length; i++) expect(curve[i]!.tps).toBeLessThanOrEqual(curve[i - 1]!.tps);
      const at = depthCurves(
        { ...LLAMA_70B, query: { ...LLAMA_70B.query, contextTokens: LLAMA_70B.query.depthTokens } },
        catalog,
      )!;
      expect(at.get(e.id)!.at(-1)!.tps).toBeCloseTo(e.decodeTokensPerSec!, 9);
      expect(at.get(e.id)!.at(-1)!.band.low).toBeCloseTo(e.decodeBand!.low, 9);
    }
  });

  it('marks where long context changes the leader', () => {
    const v = verdict({ model: 'llama-4-scout', device: 'rtx-5090', against: 'dgx-spark', contextTokens: 131072 });
    const [a, b] = v.devices;
    expect(a!.decodeTokensPerSec!).toBeLessThan(b!.decodeTokensPerSec!);
    const curves = depthCurves(v, catalog)!;
    expect(curves.get(a!.id)!.at(-1)!.tps).toBeGreaterThan(curves.get(b!.id)!.at(-1)!.tps);
    const chart = chartForVerdict(v)!;
    expect(textOf(chart.svg)).toMatch(/RTX 5090 leads past ~\d+k/);
    expect(chart.alt).toMatch(/RTX 5090 leads past ~\d+k/);
  });

  it('falls back to the verdict’s own figures when the model cannot be rebuilt', () => {
    const other = model('llama-3.1-8b');
    expect(depthCurves(LLAMA_70B, catalog, other)).toBeUndefined();
    const c2 = chartForVerdict(LLAMA_70B, { model: other })!;
    const text2 = textOf(c2.svg);
    expect(text2).toMatch(/Decode speed at 0.5k of context/);
    for (const e of LLAMA_70B.devices) expect(text2).toContain(`~${fmt.tps(e.decodeTokensPerSec!)} tok/s`);
  });

  it('labels depths as people write them', () => {
    expect([0, 512, 8192, 131072, 1 << 20].map(kLabel)).toEqual(['0', '0.5k', '8k', '128k', '1M']);
  });
});

describe('memory stack', () => {
  it('shows what each machine needs against its budget, and the raised Apple limit', () => {
    const c = chartForVerdict(LLAMA_70B, { layout: 'full' })!;
    const shown = textOf(c.svg);
    expect(shown).toMatch(/Memory: what the model needs against each budget/);
    const [gpu, mac] = LLAMA_70B.devices;
    expect(shown).toContain(
      `RTX 5090: offload: ${fmt.gb(gpu!.memory.spillGB)} of ${fmt.gb(gpu!.memory.requiredGB)} GB`,
    );
    expect(shown).toContain(`VRAM ${fmt.gb(gpu!.memory.availableGB)}`);
    expect(shown).toContain(`GPU limit ${fmt.gb(mac!.memory.availableGB)}`);
    expect(shown).toContain(`raised ${fmt.gb(mac!.memory.raisedAvailableGB!)}`);
    expect(shown).toContain(fmt.gb(gpu!.memory.weightsGB));
    expect(shown).toMatch(/KV cache \(32k\)/);
    expect(c.alt).toMatch(/needs 54\.\d GB against 34\.4 GB/);
    // The full chart leads with the headline.
    const lead = /\d+(\.\d+)?x faster/.exec(LLAMA_70B.verdict.headline)?.[0];
    expect(lead).toBeDefined();
    expect(shown).toContain(lead);
  });

  it('leads when a machine cannot hold the model at all', () => {
    const v = verdict({ model: 'llama 3.3 70b', device: 'mac-mini-m4-pro-64gb', contextTokens: 131072 });
    expect(v.devices.map((e) => e.fit)).toEqual(['none', 'gpu']);
    const c = chartForVerdict(v)!;
    expect(textOf(c.svg)).toMatch(/^Memory: what the model needs/m);
    expect(textOf(c.svg)).toContain(`M4 Pro 64GB: needs ${fmt.gb(v.devices[0]!.memory.requiredGB)} GB`);
    expect(c.alt).toMatch(
      /M4 Pro 64GB needs [\d.]+ GB against [\d.]+ GB \([\d.]+ GB with the raised limit\), does not fit/,
    );
  });
});

describe('cost over the years', () => {
  const v = verdict({ model: 'qwen3-30b-a3b', workflow: 'rag', tokensPerDay: 2_000_000, apiPricePerMTok: 1 });

  it('leads an answer with an API price: each machine’s total, the API line and each break-even', () => {
    const c = chartForVerdict(v)!;
    const shown = textOf(c.svg);
    expect(shown).toMatch(/Cost over 3 years: hardware \+ electricity/);
    expect(shown).toContain('API at $1/M tokens');
    for (const e of v.devices) {
      expect(shown).toContain(e.shortName);
      const cost = v.cost.perDevice.find((p) => p.id === e.id)!;
      expect(shown).toContain(fmtUsdBand(cost.totalUSD));
      expect(cost.breakEvenMonths).not.toBeNull();
      expect(shown).toContain(`${Math.round(cost.breakEvenMonths!.high)} months`);
    }
    expect(shown).toContain(`API ${fmt.usd(v.cost.perDevice[0]!.apiPerMonthUSD! * 36)}`);
    expect(c.alt).toContain('pays for itself against the API');
  });

  it('shows no API line without an API price', () => {
    const c = chartForVerdict(verdict({ model: 'llama-3.1-8b', priority: 'budget' }))!;
    const shown = textOf(c.svg);
    expect(shown).toMatch(/Cost over 3 years/);
    expect(shown).not.toMatch(/API/);
  });
});

describe('image, fine-tuning and serving', () => {
  it('image: time per image for each machine and model', () => {
    const v = verdict({ workflow: 'image' });
    const c = chartForVerdict(v)!;
    const shown = textOf(c.svg);
    expect(c.name).toBe('whichgpu-image.png');
    for (const e of v.devices) {
      expect(shown).toContain(e.shortName);
      for (const img of e.images) if (img.seconds) expect(shown).toContain(fmtDuration(img.seconds));
    }
    expect(shown).toMatch(/Stable Diffusion XL · 30 steps · 1024 px/);
  });

  it('fine-tuning: hours per epoch, or why a method does not run', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    const shown = textOf(chartForVerdict(v)!.svg);
    expect(shown).toMatch(/One epoch over 10M tokens/);
    for (const e of v.devices)
      for (const f of e.fineTune) if (f.hoursPerEpoch) expect(shown).toContain(fmtDuration(f.hoursPerEpoch * 3600));
  });

  it('serving: tokens per second in all by users, the served level marked', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'serving' });
    const shown = textOf(chartForVerdict(v)!.svg);
    expect(shown).toMatch(/Serving: tokens per second in all/);
    for (const e of v.devices) {
      const s = e.serving!.served!;
      expect(shown).toContain(`~${fmt.tps(s.perUserTokensPerSec)} tok/s each`);
    }
  });
});

describe('plan charts', () => {
  it('quality against speed, one colour per machine, best picks named', () => {
    const p = planned({ workflow: 'chat' });
    const c = chartForPlan(p)!;
    const shown = textOf(c.svg);
    expect(c.name).toBe('whichgpu-plan-chat.png');
    expect(shown).toMatch(/Quality against speed/);
    for (const d of p.devices) {
      expect(shown).toContain(d.shortName);
      const best = d.picks[0]!;
      expect(shown).toContain(`${best.model.name} ${best.quant}`);
      expect(c.alt).toContain(`${best.model.name} ${best.quant} at ~${fmt.tps(best.decodeTokensPerSec!)} tok/s`);
    }
  });

  it('plots one benchmark and says how many picks were scored on others', () => {
    const p = planned({ workflow: 'coding' });
    const shown = textOf(chartForPlan(p, { layout: 'full' })!.svg);
    const benchmarks = new Set(p.devices.flatMap((d) => d.picks.map((k) => k.quality?.benchmark)));
    expect(benchmarks.size).toBeGreaterThan(1);
    expect(shown).toMatch(/\d+ picks? scored on other benchmarks not plotted/);
  });

  it('image and video plans: time per image or clip', () => {
    const p = planned({ workflow: 'video' });
    const c = chartForPlan(p)!;
    const shown = textOf(c.svg);
    expect(shown).toMatch(/Time per clip/);
    for (const d of p.devices) expect(c.alt).toContain(d.shortName);
    expect(shown).toContain(fmtDuration(p.devices[0]!.picks[0]!.generation!.seconds));
  });

  it('a fine-tuning plan has no speeds, so no chart', () => {
    expect(chartForPlan(planned({ workflow: 'fine-tune' }))).toBeUndefined();
  });
});

describe('no chart without the data, and never an exception', () => {
  it('gives undefined for the overview, a video verdict and an empty verdict', () => {
    expect(chartForVerdict(verdict({}))).toBeUndefined();
    expect(chartForVerdict(verdict({ workflow: 'video' }))).toBeUndefined();
    expect(chartForVerdict({ ...LLAMA_70B, devices: [] })).toBeUndefined();
    expect(chartForPlan({ ...planned({ workflow: 'chat' }), devices: [] })).toBeUndefined();
  });

  it('gives undefined, not an exception, for a malformed verdict or plan', () => {
    const broken = { ...LLAMA_70B, devices: [{ ...LLAMA_70B.devices[0]!, memory: undefined }] } as unknown as Verdict;
    expect(() => chartForVerdict(broken)).not.toThrow();
    expect(chartForVerdict(broken)).toBeUndefined();
    expect(chartForPlan({ query: { workflow: 'chat' } } as unknown as Plan)).toBeUndefined();
  });

  it('draws every verdict a model can get (but video) with both machines named', () => {
    for (const v of everyVerdictFor('llama-3.3-70b')) {
      const c = chartForVerdict(v);
      // Video verdicts hold support levels, not times; fine-tuning needs a method that runs somewhere.
      const untimed =
        v.query.workflow === 'video' ||
        (v.query.workflow === 'fine-tune' && !v.devices.some((e) => e.fineTune.some((f) => f.hoursPerEpoch !== null)));
      if (untimed) {
        expect(c).toBeUndefined();
        continue;
      }
      expect(c, `${v.query.workflow} vs ${v.query.devices[1]}`).toBeDefined();
      expect(verdictPanels(v).length).toBeGreaterThan(0);
      const shown = textOf(c!.svg);
      for (const e of v.devices) {
        expect(shown).toContain(e.shortName);
        expect(c!.alt).toContain(e.shortName);
      }
      expect(c!.alt.length).toBeLessThanOrEqual(ALT_MAX);
    }
  });
});
