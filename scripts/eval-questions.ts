/**
 * `npm run eval:questions`: how much of each real question whichgpu understands. Reads the corpus
 * (test/questions/real-questions.jsonl: what people asked in public, verbatim, with links, and how
 * it should be read), reads each text as the bots do, and scores the reading field by field:
 * intent, model, quant, context, workflow, priority, machines. "Whole" means every field. A report;
 * it always exits 0. `--misses` lists what was misread.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/load.js';
import { compare, resolveDevice, resolveModel, resolveQuant, understand, type Catalog } from '../src/core/index.js';
import { QuestionSchema, type Question } from '../test/questions/schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusPath = process.env.QUESTIONS ?? join(root, 'test', 'questions', 'real-questions.jsonl');

const FIELDS = ['intent', 'model', 'quant', 'context', 'workflow', 'priority', 'machines'] as const;
type Field = (typeof FIELDS)[number];

/** What today's reading says, in the corpus's terms. */
interface Reading {
  intent: string;
  model: string | null;
  quant: string | null;
  contextTokens: number | null;
  workflow: string | null;
  priority: string | null;
  devices: string[];
}

function read(catalog: Catalog, text: string): Reading {
  const u = understand(catalog, text);
  const input = u.ok ? u.value.input : {};
  const v = compare(catalog, input);
  return {
    // Every question is read as a comparison today.
    intent: 'compare',
    model: v.ok && input.model !== undefined ? v.value.query.model : null,
    quant: input.quant !== undefined && v.ok ? v.value.query.quant : null,
    contextTokens: input.contextTokens ?? null,
    workflow: input.workflow ?? null,
    priority: input.priority ?? null,
    devices: v.ok ? [...v.value.query.devices] : [],
  };
}

/** Field by field, whether the reading matches what the asker meant. */
function score(catalog: Catalog, q: Question, r: Reading): Record<Field, boolean> {
  const e = q.expect;
  const modelId =
    e.model === null
      ? null
      : (() => {
          const m = resolveModel(catalog, e.model);
          return m.ok && !m.value.estimated ? m.value.model.id : `unknown:${e.model}`;
        })();
  const quantId = e.quant
    ? (() => {
        const x = resolveQuant(catalog, e.quant);
        return x.ok ? x.value.id : `unknown:${e.quant}`;
      })()
    : null;
  const deviceIds = e.devices.map((d) => {
    const x = resolveDevice(catalog, d.name);
    return x.ok && (d.gpus ?? 1) === x.value.gpus ? x.value.id : `unknown:${d.name}`;
  });
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return {
    intent: e.intent === r.intent,
    model: modelId === r.model,
    quant: quantId === r.quant,
    context: (e.contextTokens ?? null) === r.contextTokens,
    workflow: (e.workflow ?? null) === (r.workflow === 'chat' && !e.workflow ? null : r.workflow),
    priority: (e.priority ?? null) === r.priority,
    // A question about one machine is not understood by an answer about two.
    machines: deviceIds.length === 0 || sameSet(deviceIds, r.devices),
  };
}

const catalog = loadCatalog();
const lines = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const questions = lines.map((l) => QuestionSchema.parse(JSON.parse(l)));
const tally = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;
let whole = 0;
const misses: string[] = [];
for (const q of questions) {
  const r = read(catalog, q.text);
  const s = score(catalog, q, r);
  for (const f of FIELDS) if (s[f]) tally[f]++;
  if (FIELDS.every((f) => s[f])) whole++;
  else misses.push(`${q.id} [${FIELDS.filter((f) => !s[f]).join(', ')}] ${q.text.slice(0, 100)}`);
}
const pct = (n: number) => `${((100 * n) / questions.length).toFixed(1)}%`;
console.log(`Understanding ${questions.length} real questions (${corpusPath})\n`);
console.log('| field | understood |\n| --- | --- |');
for (const f of FIELDS) console.log(`| ${f} | ${pct(tally[f])} (${tally[f]}) |`);
console.log(`| **whole question** | **${pct(whole)} (${whole})** |`);
if (process.argv.includes('--misses')) console.log(`\n${misses.join('\n')}`);
