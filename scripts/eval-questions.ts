/**
 * `npm run eval:questions`: how much of each real question whichgpu understands. Reads the corpus
 * (test/questions/real-questions.jsonl: what people asked in public, verbatim, with links, and how
 * it should be read), reads each text as the bots do, and scores the reading field by field:
 * intent, model, quant, context, workflow, priority, machines. "Whole" means every field; the four the
 * issue's measure named (intent, model, machines, workflow) are also counted together, and, where a
 * second annotator labelled the intent blind and read it otherwise (`alsoIntent`), the share with
 * the intent either annotator chose. A report;
 * it always exits 0. `--misses` lists what was misread.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/load.js';
import { ask, resolveQuant, tokenize, type AskReading, type Catalog } from '../src/core/index.js';
import { readMachines } from '../src/core/ask/machines-text.js';
import { isDiscrete } from '../src/core/catalog/machines.js';
import { readModel } from '../src/core/ask/models-text.js';
import { QuestionSchema, type Question } from '../test/questions/schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusPath = process.env.QUESTIONS ?? join(root, 'test', 'questions', 'real-questions.jsonl');

const FIELDS = ['intent', 'model', 'quant', 'context', 'workflow', 'priority', 'machines'] as const;
type Field = (typeof FIELDS)[number];
/** What the issue's own measure counted as understood: intent, model, machines and workflow. */
const CORE: readonly Field[] = ['intent', 'model', 'machines', 'workflow'];

/**
 * A model as a comparable key: the catalog id when the catalog (LLM or image/video) knows it, else
 * its name's words (a model the catalog does not know yet is understood when its name is).
 */
function modelKey(catalog: Catalog, name: string | null, reading?: AskReading['model']): string | null {
  if (name === null && !reading) return null;
  const r = reading ?? readModel(catalog, name!)?.reading;
  if (r && r.source === 'catalog' && r.id) return r.id;
  return `name:${nameWords(r?.name ?? name ?? '')}`;
}

/**
 * A name's words without what is not the model's name: the publisher of a Hub id ("nvidia/",
 * "mlx-community/") and the quant or format at its end ("-NVFP4", "-GGUF", "-mxfp8"), which the
 * quant field scores. Both sides are read the same way.
 */
const NOT_NAME =
  /[-_.\s](gguf|ggml|mlx|awq|gptq|exl2|nvfp4|mxfp4|mxfp8|fp4|fp8|fp16|bf16|f16|int4|int8|nf4|bnb|\d+bit|q\d\w*|iq\d\w*)$/i;
function nameWords(name: string): string {
  let n = name.slice(name.lastIndexOf('/') + 1).replace(/\.(gguf|safetensors)$/i, '');
  for (let m = n.replace(NOT_NAME, ''); m !== n && m !== ''; m = n.replace(NOT_NAME, '')) n = m;
  return tokenize(n).join(' ');
}

/** A machine as chip|memory|count|host RAM; null parts of an expectation match anything. */
interface MachineKey {
  chip: string;
  memoryGB: number | null;
  gpus: number | null;
  hostRamGB: number | null;
}
const chipKey = (id: string) => (id.startsWith('cpu-') ? 'cpu' : id);

function expectedMachine(catalog: Catalog, d: Question['expect']['devices'][number]): MachineKey {
  // A device name in an expectation is a machine by definition ("Mac (Apple Silicon)"), whatever
  // cue a question would need: read it as something someone owns.
  const m = readMachines(catalog, `my ${d.name}`)[0];
  const cpu = m?.chip.kind === 'cpu';
  return {
    chip: m ? chipKey(m.chip.id) : `unknown:${d.name}`,
    memoryGB: cpu ? (d.hostRamGB ?? null) : (d.memoryGB ?? null),
    gpus: d.gpus ?? null,
    hostRamGB: d.hostRamGB ?? null,
  };
}

function readMachineKeys(catalog: Catalog, text: string): MachineKey[] {
  return readMachines(catalog, text).map((m) => ({
    chip: chipKey(m.chip.id),
    memoryGB:
      m.memoryGB ??
      (!m.generic && (m.chip.variants.length === 1 || isDiscrete(m.chip)) ? m.chip.variants[0]!.memoryGB : null),
    gpus: m.gpus,
    hostRamGB: m.hostRamGB,
  }));
}

const agrees = (e: number | null, r: number | null) => e === null || e === r;
function sameMachines(expected: MachineKey[], read: MachineKey[]): boolean {
  if (expected.length !== read.length) return false;
  const left = [...read];
  for (const e of expected) {
    const i = left.findIndex(
      (r) =>
        r.chip === e.chip &&
        agrees(e.memoryGB, r.memoryGB) &&
        agrees(e.gpus, r.gpus) &&
        agrees(e.hostRamGB, r.hostRamGB),
    );
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

const quantId = (catalog: Catalog, q: string | null | undefined) => {
  if (!q) return null;
  const x = resolveQuant(catalog, q);
  return x.ok ? x.value.id : `unknown:${q}`;
};

/** Field by field, whether the reading matches what the asker meant. */
function score(catalog: Catalog, q: Question, r: AskReading): Record<Field | 'intentEither', boolean> {
  const e = q.expect;
  return {
    intent: e.intent === r.intent,
    intentEither: e.intent === r.intent || (e.alsoIntent ?? []).includes(r.intent),
    model: modelKey(catalog, e.model) === (r.model ? modelKey(catalog, r.model.name, r.model) : null),
    quant: quantId(catalog, e.quant) === quantId(catalog, r.quant),
    context: (e.contextTokens ?? null) === r.contextTokens,
    workflow: (e.workflow ?? null) === (r.workflow === 'chat' && !e.workflow ? null : r.workflow),
    priority: (e.priority ?? null) === r.priority,
    machines: sameMachines(
      e.devices.map((d) => expectedMachine(catalog, d)),
      readMachineKeys(catalog, q.text),
    ),
  };
}

const catalog = loadCatalog();
const lines = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const questions = lines.map((l) => QuestionSchema.parse(JSON.parse(l)));
const tally = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;
let whole = 0;
let core = 0;
let eitherIntent = 0;
let wholeEither = 0;
const misses: string[] = [];
for (const q of questions) {
  const r = ask(catalog, q.text).reading;
  const s = score(catalog, q, r);
  for (const f of FIELDS) if (s[f]) tally[f]++;
  if (CORE.every((f) => s[f])) core++;
  if (s.intentEither) eitherIntent++;
  if (s.intentEither && FIELDS.every((f) => f === 'intent' || s[f])) wholeEither++;
  if (FIELDS.every((f) => s[f])) whole++;
  else
    misses.push(
      `${q.id} [${FIELDS.filter((f) => !s[f]).join(', ')}] ${q.text.slice(0, 100).replace(/\n/g, ' ')}\n    read: ${r.intent} ${r.model?.name ?? '-'} ${r.quant ?? '-'} ${r.contextTokens ?? '-'} ${r.workflow ?? '-'} ${r.priority ?? '-'} ${r.devices.map((d) => `${d.gpus}x ${d.id} ${d.hostRamGB ?? ''}`).join(', ')}\n    want: ${q.expect.intent} ${q.expect.model ?? '-'} ${q.expect.quant ?? '-'} ${q.expect.contextTokens ?? '-'} ${q.expect.workflow ?? '-'} ${q.expect.priority ?? '-'} ${q.expect.devices.map((d) => `${d.gpus}x ${d.name} ${d.memoryGB ?? ''} ${d.hostRamGB ?? ''}`).join(', ')}`,
    );
}
const pct = (n: number) => `${((100 * n) / questions.length).toFixed(1)}%`;
console.log(`Understanding ${questions.length} real questions (${corpusPath})\n`);
console.log('| field | understood |\n| --- | --- |');
for (const f of FIELDS) console.log(`| ${f} | ${pct(tally[f])} (${tally[f]}) |`);
console.log(`| intent, model, machines and workflow | ${pct(core)} (${core}) |`);
console.log(`| **whole question** | **${pct(whole)} (${whole})** |`);
// Where a second annotator, labelling blind, read the intent otherwise, either reading counts here.
console.log(`| intent, as either annotator read it | ${pct(eitherIntent)} (${eitherIntent}) |`);
console.log(`| whole question, intent as either annotator read it | ${pct(wholeEither)} (${wholeEither}) |`);
if (process.argv.includes('--misses')) console.log(`\n${misses.join('\n')}`);
