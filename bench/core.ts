/** The core and the renderers, per query, over 10 representative questions (median and p99). */
import { loadCatalog } from '../src/catalog/load.js';
import { compare, type Verdict } from '../src/core/index.js';
import { verdictMessage } from '../src/render/discord.js';
import { verdictBlocks } from '../src/render/slack.js';
import { renderText } from '../src/render/text.js';

export const QUERIES = [
  { model: 'llama-3.1-8b' },
  { model: 'qwen2.5-coder:32b', workflow: 'coding' },
  { model: 'llama 3.3 70b', contextTokens: 32768 },
  { model: 'gpt-oss-120b', priority: 'silence' },
  { model: 'Meta-Llama-3.1-70B-Instruct-Q5_K_M.gguf', against: 'mac-studio-m3-ultra-512gb' },
  { model: 'qwen3-30b-a3b', workflow: 'rag', tokensPerDay: 2_000_000, apiPricePerMTok: 1 },
  { model: 'gemma 3 27b', workflow: 'image' },
  { model: 'mixtral 8x7b', quant: 'Q8_0', workflow: 'serving' },
  { model: '70b', workflow: 'fine-tune' },
  {},
];

export function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p99: q(0.99) };
}

function time(n: number, f: () => unknown): { median: number; p99: number } {
  for (let i = 0; i < 20; i++) f();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return stats(xs);
}

const slowestOf = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);

export function coreBench() {
  const catalog = loadCatalog();
  const verdicts: Verdict[] = [];
  const rows: string[] = [];
  const computeTimes: number[] = [];
  for (const q of QUERIES) {
    const t = time(100, () => compare(catalog, q));
    computeTimes.push(t.median);
    const r = compare(catalog, q);
    if (r.ok) verdicts.push(r.value);
  }
  const all = (f: (v: Verdict) => unknown) => time(100, () => verdicts.forEach(f));
  const per = (s: { median: number; p99: number }) => ({
    median: s.median / verdicts.length,
    p99: s.p99 / verdicts.length,
  });
  const verdict = time(100, () => QUERIES.forEach((q) => compare(catalog, q)));
  rows.push(
    `| verdict (compare, uncached), per query | ${ms(verdict.median / QUERIES.length)} | ${ms(verdict.p99 / QUERIES.length)} |`,
  );
  rows.push(`| verdict, slowest single query (median) | ${ms(slowestOf(computeTimes))} | |`);
  const text = per(all((v) => renderText(v, { color: false })));
  rows.push(`| terminal text | ${ms(text.median)} | ${ms(text.p99)} |`);
  const embed = per(all((v) => verdictMessage(v, { stateId: 'abcdef012345', quants: ['Q4_K_M', 'Q8_0'] })));
  rows.push(`| Discord embed + components | ${ms(embed.median)} | ${ms(embed.p99)} |`);
  const blocks = per(all((v) => verdictBlocks(v, { stateId: 'abcdef012345', quants: ['Q4_K_M', 'Q8_0'] })));
  rows.push(`| Slack Block Kit | ${ms(blocks.median)} | ${ms(blocks.p99)} |`);
  return { rows };
}
