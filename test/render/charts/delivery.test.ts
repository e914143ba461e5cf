/**
 * Charts on the answer path (src/render/charts/delivery.ts): the PNG drawn off the event loop is
 * the same image as the CLI's, each verdict is drawn once, an answer waits no longer than its
 * budget, a failure or a full queue gives no chart, and all of it is logged at most once a minute.
 */
import { crc32, inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { ChartDelivery, type ChartFile, type ChartRenderer } from '../../../src/render/charts/delivery.js';
import { chartForVerdict, chartSvgForVerdict } from '../../../src/render/charts/index.js';
import { fontFiles, svgToPng, svgToPngAsync } from '../../../src/render/charts/png.js';
import { FONT_FAMILY } from '../../../src/render/charts/svg.js';
import { catalog, planned, verdict } from '../../helpers/catalog.js';
import { captureLog } from '../../helpers/log.js';
import { readPng } from './read-png.js';

/** Each chunk of a PNG with its CRC checked. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(typeAndData));
    out.push({ type: typeAndData.toString('latin1', 0, 4), data: Buffer.from(typeAndData.subarray(4)) });
    at += 12 + len;
  }
  return out;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('svgToPngAsync', () => {
  const spec = chartSvgForVerdict(verdict({ model: 'llama 3.3 70b', contextTokens: 32768 }), { catalog })!;

  it("decodes, its chunks' CRCs hold, and its pixels are resvg's own, row for row", async () => {
    const { png, width, height } = await svgToPngAsync(spec.svg);
    expect(readPng(png)).toEqual({ width, height, colorType: 6 });
    const sync = svgToPng(spec.svg);
    expect({ width, height }).toEqual({ width: sync.width, height: sync.height });
    const idat = Buffer.concat(
      chunks(png)
        .filter((c) => c.type === 'IDAT')
        .map((c) => c.data),
    );
    const rows = inflateSync(idat);
    const pixels = new Resvg(spec.svg, {
      fitTo: { mode: 'zoom', value: 2 },
      background: '#ffffff',
      font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      logLevel: 'off',
    }).render().pixels;
    const stride = width * 4;
    for (let y = 0; y < height; y += 37) {
      expect(rows[y * (stride + 1)]).toBe(0);
      const row = rows.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
      expect(row.equals(pixels.subarray(y * stride, (y + 1) * stride))).toBe(true);
    }
  });

  it('is smaller than resvg’s own PNG of the same chart', async () => {
    const { png } = await svgToPngAsync(spec.svg);
    expect(png.length).toBeLessThan(svgToPng(spec.svg).png.length);
  });

  it('rejects an SVG resvg cannot read', async () => {
    await expect(svgToPngAsync('<svg')).rejects.toThrow();
  });
});

/** A renderer that counts its calls and settles when told (or at once). */
function controlled(o: { fail?: boolean; hold?: boolean } = {}) {
  const calls: string[] = [];
  const releases: (() => void)[] = [];
  const render: ChartRenderer = async (subject) => {
    const n = calls.push(
      subject.kind === 'verdict' ? (subject.verdict.query.model ?? '') : subject.plan.query.workflow,
    );
    if (o.hold) await new Promise<void>((r) => releases.push(r));
    if (o.fail) throw new Error('no chart today');
    return { name: `c${n}.png`, png: Buffer.from([n]), alt: 'alt' } satisfies ChartFile;
  };
  return { render, calls, release: () => releases.splice(0).forEach((r) => r()) };
}

describe('ChartDelivery', () => {
  it('draws a verdict once: the same object asked again, at once or later, gets the same chart', async () => {
    const r = controlled();
    const charts = new ChartDelivery({ catalog, log: captureLog().log, render: r.render });
    const v = verdict({ model: 'phi-4' });
    const [a, b] = await Promise.all([charts.forVerdict(v), charts.forVerdict(v)]);
    const c = await charts.forVerdict(v);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(r.calls).toHaveLength(1);
  });

  it('the real renderer: a verdict and a plan each get a PNG with a name and alt text; an overview none', async () => {
    const charts = new ChartDelivery({ catalog, log: captureLog().log });
    const v = verdict({ model: 'llama 3.3 70b' });
    const chart = (await charts.forVerdict(v, 5000))!;
    expect(chart.name).toBe(chartForVerdict(v, { catalog })!.name);
    expect(chart.alt).toBe(chartForVerdict(v, { catalog })!.alt);
    readPng(chart.png);
    const p = (await charts.forPlan(planned({ devices: ['rtx-3090'], workflow: 'coding' }), 5000))!;
    expect(p.name).toBe('whichgpu-plan-coding.png');
    expect(await charts.forVerdict(verdict({}), 5000)).toBeUndefined();
  });

  it('answers within its budget when the chart is late; the chart, when it comes, serves the next ask', async () => {
    const r = controlled({ hold: true });
    const charts = new ChartDelivery({ catalog, log: captureLog().log, render: r.render, budgetMs: 50 });
    const v = verdict({ model: 'gemma 3 27b' });
    const started = performance.now();
    expect(await charts.forVerdict(v)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(400);
    r.release();
    await tick(10);
    expect(await charts.forVerdict(v)).toMatchObject({ name: 'c1.png' });
    expect(r.calls).toHaveLength(1);
  });

  it('a failure: no chart, remembered (not drawn again), and one warning a minute for all of them', async () => {
    const r = controlled({ fail: true });
    const { lines, log } = captureLog();
    const charts = new ChartDelivery({ catalog, log, render: r.render });
    const a = verdict({ model: 'qwen3 8b' });
    const b = verdict({ model: 'qwen3 14b' });
    expect(await charts.forVerdict(a)).toBeUndefined();
    expect(await charts.forVerdict(a)).toBeUndefined();
    expect(await charts.forVerdict(b)).toBeUndefined();
    expect(r.calls).toHaveLength(2);
    const warned = lines.filter((l) => l.msg === 'charts left out of answers (sent as text)');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, failed: 1, late: 0, busy: 0 });
  });

  it('draws two at a time; past the queue an answer goes without a chart at once, and a dropped one is drawn when asked again', async () => {
    const r = controlled({ hold: true });
    const charts = new ChartDelivery({
      catalog,
      log: captureLog().log,
      render: r.render,
      budgetMs: 5000,
      concurrency: 2,
      queue: 1,
    });
    const vs = ['llama 3.1 8b', 'llama 3.2 3b', 'mistral small 3', 'phi-4'].map((model) => verdict({ model }));
    const asked = vs.map((v) => charts.forVerdict(v));
    await tick(10);
    // Two drawing, one waiting, the fourth turned away at once.
    expect(r.calls).toHaveLength(2);
    expect(await asked[3]).toBeUndefined();
    r.release();
    await tick(10);
    expect(r.calls).toHaveLength(3);
    r.release();
    expect((await Promise.all(asked.slice(0, 3))).map((c) => c?.name)).toEqual(['c1.png', 'c2.png', 'c3.png']);
    const again = charts.forVerdict(vs[3]!);
    await tick(10);
    r.release();
    expect(await again).toMatchObject({ name: 'c4.png' });
  });

  it('a chart still waiting when its budget has passed is not drawn: the answer has gone without it', async () => {
    const r = controlled({ hold: true });
    const charts = new ChartDelivery({
      catalog,
      log: captureLog().log,
      render: r.render,
      budgetMs: 30,
      concurrency: 1,
    });
    const first = charts.forVerdict(verdict({ model: 'llama 3.3 70b' }));
    const second = charts.forVerdict(verdict({ model: 'qwen3 32b' }));
    expect(await second).toBeUndefined();
    await first;
    r.release();
    await tick(10);
    expect(r.calls).toHaveLength(1);
  });
});
