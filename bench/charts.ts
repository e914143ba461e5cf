/**
 * Chart rendering (issue 18): the SVG build and the PNG at 2x, over the typical answers (the core
 * bench's ten questions and five plans), one chart at a time after a warm-up; the first render of
 * the process (resvg and the font loaded) apart. Target: far under Discord's 3 s deadline. Then
 * the bots' way (renderChart: the SVG built on the event loop, the PNG drawn and compressed on
 * libuv's pool): its wall time, the event loop's own busy time per chart (its utilisation while
 * the chart is made), and its bytes, which the bots send.
 */
import { loadCatalog } from '../src/catalog/load.js';
import { compare, plan, type Plan, type Verdict } from '../src/core/index.js';
import { composeSvg } from '../src/render/charts/compose.js';
import { renderChart, type ChartSubject } from '../src/render/charts/delivery.js';
import { chartForPlan, chartForVerdict, planPanels, verdictPanels } from '../src/render/charts/index.js';
import { QUERIES, stats } from './core.js';

const PLANS = [
  { workflow: 'chat' },
  { workflow: 'coding' },
  { workflow: 'rag' },
  { workflow: 'image' },
  { workflow: 'video' },
];
const ROUNDS = 20;

type Answer = { kind: 'verdict'; v: Verdict } | { kind: 'plan'; p: Plan };

export async function chartBench() {
  const catalog = loadCatalog();
  const answers: Answer[] = [
    ...QUERIES.map((q) => compare(catalog, q)).flatMap((r) => (r.ok ? [{ kind: 'verdict' as const, v: r.value }] : [])),
    ...PLANS.map((q) => plan(catalog, q)).flatMap((r) => (r.ok ? [{ kind: 'plan' as const, p: r.value }] : [])),
  ];
  const chart = (a: Answer, layout: 'chat' | 'full') =>
    a.kind === 'verdict' ? chartForVerdict(a.v, { catalog, layout }) : chartForPlan(a.p, { layout });
  const svgOnly = (a: Answer) =>
    composeSvg('t', null, a.kind === 'verdict' ? verdictPanels(a.v, { catalog }) : planPanels(a.p), 'f');
  let start = performance.now();
  chart(answers[0]!, 'chat');
  const first = performance.now() - start;
  const charted = answers.filter((a) => chart(a, 'chat'));
  const times: Record<'chat' | 'full' | 'svg', number[]> = { chat: [], full: [], svg: [] };
  const bytes: Record<'chat' | 'full', number[]> = { chat: [], full: [] };
  // CPU time as well as wall time: on a busy machine the wall clock also counts other processes' turns.
  const cpuMs: number[] = [];
  for (let round = 0; round <= ROUNDS; round++)
    for (const a of charted) {
      for (const layout of ['chat', 'full'] as const) {
        const cpu = process.cpuUsage();
        start = performance.now();
        const c = chart(a, layout)!;
        if (round > 0) times[layout].push(performance.now() - start);
        const used = process.cpuUsage(cpu);
        if (round > 0 && layout === 'chat') cpuMs.push((used.user + used.system) / 1000);
        if (round === 1) bytes[layout].push(c.png.length);
      }
      start = performance.now();
      svgOnly(a);
      if (round > 0) times.svg.push(performance.now() - start);
    }
  const bots = await botsPath(charted, catalog);
  return {
    bots,
    answers: answers.length,
    charted: charted.length,
    first,
    chat: stats(times.chat),
    full: stats(times.full),
    svg: stats(times.svg),
    cpu: stats(cpuMs),
    bytes: { chat: stats(bytes.chat), full: stats(bytes.full), chatMax: Math.max(...bytes.chat) },
  };
}

/** The bots' path, one chart at a time: wall time, the event loop's busy time, bytes. */
async function botsPath(charted: Answer[], catalog: ReturnType<typeof loadCatalog>) {
  const subjects: ChartSubject[] = charted.map((a) =>
    a.kind === 'verdict' ? { kind: 'verdict', verdict: a.v } : { kind: 'plan', plan: a.p },
  );
  await renderChart(subjects[0]!, catalog);
  const wall: number[] = [];
  const loop: number[] = [];
  const bytes: number[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const subject of subjects) {
      const elu = performance.eventLoopUtilization();
      const start = performance.now();
      const c = (await renderChart(subject, catalog))!;
      wall.push(performance.now() - start);
      loop.push(performance.eventLoopUtilization(elu).active);
      if (round === 0) bytes.push(c.png.length);
    }
  return { wall: stats(wall), loop: stats(loop), bytes: { ...stats(bytes), max: Math.max(...bytes) } };
}

export function chartRows(r: Awaited<ReturnType<typeof chartBench>>): string[] {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const kb = (x: number) => `${(x / 1024).toFixed(0)} KB`;
  return [
    `| chat chart (one panel, SVG build + PNG at 2x) | ${ms(r.chat.median)} | ${ms(r.chat.p99)} | ${kb(r.bytes.chat.median)} median, ${kb(r.bytes.chatMax)} largest; target far under Discord's 3 s |`,
    `| chat chart, CPU time (user + system) | ${ms(r.cpu.median)} | ${ms(r.cpu.p99)} | |`,
    `| full chart (two panels, the CLI's --chart) | ${ms(r.full.median)} | ${ms(r.full.p99)} | ${kb(r.bytes.full.median)} median |`,
    `| SVG build alone (every panel of the answer) | ${ms(r.svg.median)} | ${ms(r.svg.p99)} | |`,
    `| first chart of the process (resvg and the font loaded) | ${ms(r.first)} | | |`,
    `| the bots' chat chart (SVG here, PNG drawn and compressed on libuv's pool) | ${ms(r.bots.wall.median)} | ${ms(r.bots.wall.p99)} | ${kb(r.bots.bytes.median)} median, ${kb(r.bots.bytes.max)} largest, sent with the answer |`,
    `| of which the event loop is busy | ${ms(r.bots.loop.median)} | ${ms(r.bots.loop.p99)} | the rest runs beside other answers |`,
  ];
}
