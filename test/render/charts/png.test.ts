/** The PNG itself: it decodes, has the size the chart says, and comes out byte for byte the same. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartForPlan, chartForVerdict } from '../../../src/render/charts/index.js';
import { fontFiles, SCALE, svgToPng } from '../../../src/render/charts/png.js';
import { WIDTH } from '../../../src/render/charts/svg.js';
import { planned, verdict } from '../../helpers/catalog.js';
import { readPng } from './read-png.js';

const svgHeight = (svg: string) => Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);

describe('chart PNG', () => {
  it('decodes, at twice the SVG size, 1040 px wide', () => {
    const c = chartForVerdict(verdict({ model: 'llama 3.3 70b', contextTokens: 32768 }))!;
    const png = readPng(c.png);
    expect(png).toMatchObject({ width: c.width, height: c.height });
    expect(c.width).toBe(WIDTH * SCALE);
    expect(c.height).toBe(svgHeight(c.svg) * SCALE);
    expect(c.name).toBe('whichgpu-llama-3-3-70b.png');
  });

  it('keeps a chat chart about as tall as a preview box allows, and the full one two panels tall', () => {
    const v = verdict({ model: 'llama 3.3 70b', contextTokens: 32768 });
    const chat = chartForVerdict(v)!;
    const full = chartForVerdict(v, { layout: 'full' })!;
    expect(chat.height / chat.width).toBeLessThan(0.8);
    expect(full.height).toBeGreaterThan(chat.height * 1.4);
    readPng(full.png);
  });

  it('is byte-identical across renders, with other charts rendered in between', () => {
    const v = verdict({ model: 'qwen3-30b-a3b', workflow: 'rag', tokensPerDay: 2_000_000, apiPricePerMTok: 1 });
    const p = planned({ workflow: 'coding' });
    const a = chartForVerdict(v)!;
    const pa = chartForPlan(p)!;
    chartForVerdict(verdict({ workflow: 'image' }));
    const b = chartForVerdict(v)!;
    const pb = chartForPlan(p)!;
    expect(b.png.equals(a.png)).toBe(true);
    expect(b.svg).toBe(a.svg);
    expect(pb.png.equals(pa.png)).toBe(true);
  });

  it('loads DejaVu Sans from the package and no system font', () => {
    const files = fontFiles();
    expect(files.map((f) => f.split(/[\\/]/).at(-1))).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    for (const f of files) expect(existsSync(f)).toBe(true);
    // Text drawn in a family that is not loaded falls back to DejaVu Sans: it still draws ink.
    const svg = (family: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15" font-size="14" font-family="${family}">≈×µ</text></svg>`;
    expect(svgToPng(svg('Arial')).png.equals(svgToPng(svg('DejaVu Sans')).png)).toBe(true);
    expect(svgToPng(svg('DejaVu Sans')).png.equals(svgToPng(svg('NoSuchFont')).png)).toBe(true);
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"></svg>';
    expect(svgToPng(svg('DejaVu Sans')).png.equals(svgToPng(blank).png)).toBe(false);
  });
});
