/**
 * The memory stack: weights, KV cache, vision projector and runtime overhead, one bar per machine,
 * against what its GPU may hold (and, on a Mac, what it may hold after raising the wired limit).
 * The machine keeps its colour; the parts are told apart by shade, so no colour means two things.
 */
import { fmt, type DeviceEvaluation, type Verdict } from '../../core/index.js';
import { memoryFit } from '../shared.js';
import { kLabel } from './decode-depth.js';
import { colorOf, GRID, INK, line, MUTED, niceTicks, rect, text, textWidth, TYPE, WIDTH, type Panel } from './svg.js';

const LEFT = 12;
const RIGHT = WIDTH - 24;
const BAR = 22;
const ROW = 66;

interface Part {
  label: string;
  gb: number;
  opacity: number;
}

function partsOf(e: DeviceEvaluation, ctx: number): Part[] {
  const m = e.memory;
  return [
    { label: 'weights', gb: m.weightsGB, opacity: 1 },
    { label: `KV cache (${kLabel(ctx)})`, gb: m.kvCacheGB, opacity: 0.6 },
    { label: 'vision projector', gb: m.projectorGB ?? 0, opacity: 0.45 },
    { label: 'overhead', gb: m.overheadGB, opacity: 0.28 },
  ];
}

const budgetName = (e: DeviceEvaluation) => (e.memory.raisedAvailableGB !== undefined ? 'GPU limit' : 'VRAM');

function summary(e: DeviceEvaluation): string {
  const f = memoryFit(e);
  return `${e.shortName}: ${f.text}`;
}

export function memoryStackPanel(v: Verdict): Panel | undefined {
  if (!v.model || !v.devices.length) return undefined;
  const ctx = v.query.contextTokens;
  const maxGB = Math.max(
    ...v.devices.map((e) => Math.max(e.memory.requiredGB, e.memory.availableGB, e.memory.raisedAvailableGB ?? 0)),
  );
  const ticks = niceTicks(maxGB, 5);
  const sx = (gb: number) => LEFT + (gb / ticks.at(-1)!) * (RIGHT - LEFT);
  const out: string[] = [
    text(8, 16, 'Memory: what the model needs against each budget', { size: TYPE.panel, weight: 'bold' }),
  ];
  // The parts' key, in grey: shade tells the parts apart in every machine's colour.
  const shown = partsOf(v.devices[0]!, ctx).filter((p) =>
    v.devices.some((e) => partsOf(e, ctx).find((q) => q.label === p.label)!.gb > 0),
  );
  let kx = LEFT;
  for (const p of shown) {
    out.push(rect(kx, 28, 14, 12, INK, { opacity: p.opacity }));
    out.push(text(kx + 19, 39, p.label, { size: TYPE.label }));
    kx += 19 + textWidth(p.label, TYPE.label) + 14;
  }
  const top = 52;
  const bottom = top + v.devices.length * ROW;
  for (const t of ticks) {
    out.push(line(sx(t), top, sx(t), bottom - 4, { stroke: GRID }));
    out.push(text(sx(t), bottom + 12, String(t), { anchor: 'middle', fill: MUTED }));
  }
  out.push(text((LEFT + RIGHT) / 2, bottom + 30, 'GB', { anchor: 'middle', size: TYPE.label }));
  const figures: string[] = [];
  const said: string[] = [];
  v.devices.forEach((e, i) => {
    const m = e.memory;
    const color = colorOf(i);
    const y = top + i * ROW;
    out.push(text(LEFT, y + 12, summary(e), { size: TYPE.label, weight: 'bold', fill: color }));
    let x = LEFT;
    for (const p of partsOf(e, ctx)) {
      if (p.gb <= 0) continue;
      const w = sx(p.gb) - LEFT;
      out.push(rect(x, y + 18, w, BAR, color, { opacity: p.opacity }));
      const label = fmt.gb(p.gb);
      if (w > textWidth(label, TYPE.tick) + 4)
        out.push(
          text(x + w / 2, y + 18 + BAR / 2 + 4, label, { anchor: 'middle', fill: p.opacity === 1 ? '#ffffff' : INK }),
        );
      x += w;
    }
    const budget = sx(m.availableGB);
    out.push(line(budget, y + 13, budget, y + 18 + BAR + 5, { stroke: INK, width: 2.5 }));
    const budgetLabel = `${budgetName(e)} ${fmt.gb(m.availableGB)}`;
    const raised = m.raisedAvailableGB;
    const labelY = y + 18 + BAR + 17;
    const room = budget - LEFT > textWidth(budgetLabel, TYPE.tick) + 4;
    out.push(text(room ? budget - 3 : budget + 3, labelY, budgetLabel, { anchor: room ? 'end' : 'start', fill: INK }));
    figures.push(fmt.gb(m.requiredGB), fmt.gb(m.availableGB));
    if (raised !== undefined) {
      const rx = sx(raised);
      out.push(line(rx, y + 13, rx, y + 18 + BAR + 5, { stroke: INK, width: 2, dash: '3 2' }));
      const raisedLabel = `raised ${fmt.gb(raised)}`;
      if (room && rx + 3 + textWidth(raisedLabel, TYPE.tick) <= WIDTH - 2)
        out.push(text(rx + 3, labelY, raisedLabel, { fill: MUTED }));
      figures.push(fmt.gb(raised));
    }
    said.push(
      `${e.shortName} needs ${fmt.gb(m.requiredGB)} GB against ${fmt.gb(m.availableGB)} GB${raised !== undefined ? ` (${fmt.gb(raised)} GB with the raised limit)` : ''}${e.fit === 'offload' ? `, ${fmt.gb(m.spillGB)} GB in system RAM` : e.fit === 'none' ? ', does not fit' : ''}`,
    );
  });
  return {
    height: bottom + 36,
    svg: out.join(''),
    alt: `Memory for ${v.model.name} ${v.query.quant} at ${kLabel(ctx)} context: ${said.join('; ')}.`,
    figures,
  };
}
