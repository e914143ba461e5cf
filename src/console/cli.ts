/**
 * The `whichgpu` CLI (`npm run cli -- <subcommand>`): ask, compare, estimate --jsonl, devices, models.
 * Every subcommand takes --json; usage errors exit 2.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMPARE_FLAGS, compareInputOfFlags } from '../../commands/options.js';
import { loadCatalog } from '../catalog/load.js';
import { HELP_TEXT } from '../../commands/help.js';
import type { ModelLookup, Reply } from '../../commands/types.js';
import { learnedFor } from '../../commands/ask.js';
import { modelLookupFor } from '../lookup/commands.js';
import {
  ask,
  askJson,
  plan,
  compareNamed,
  estimateLine,
  understand,
  verdictJson,
  verdictReplacer,
  type AskAnswer,
  type AskJson,
  type Catalog,
  type CatalogDevice,
  type CompareInput,
} from '../core/index.js';
import { chartForPlan, chartForVerdict, type Chart } from '../render/charts/index.js';
import { errorText } from '../render/shared.js';
import { renderReply, renderText } from '../render/text.js';
import { jsonLines, MAX_LINE_CHARS } from './json-lines.js';
import { reportCommand } from './report-command.js';

export class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `whichgpu: RTX 5090 or Mac Studio M4 Max, for your model and workflow.

Usage: whichgpu <command> [flags]      (npm run cli -- <command> [flags])

Commands:
  ask        a question in plain words: "5090 or mac studio for llama 3.3 70b?" (--json, --jsonl)
  compare    the verdict for a model and workflow (same as the bots)
  plan       what each machine runs best for a workflow, or what an upgrade adds (--json)
  estimate   --jsonl: one JSON query per line on stdin, one JSON result per line
  report     read a pasted llama-bench, ollama --verbose, LM Studio or mlx_lm output on stdin
  devices    the hardware catalog
  models     the model catalog

Every command takes --json and --help.`,
  compare: `Usage: whichgpu compare [FREE TEXT] [--model TEXT] [--quant Q] [--context N] [--workflow W] [--priority P]
                        [--device ID] [--against ID] [--hours H] [--kwh-price P] [--years Y]
                        [--tokens-per-day N] [--api-price USD_PER_MTOK] [--prompt-tokens N]
                        [--steps N] [--resolution PX] [--json] [--chart FILE]

  --model       catalog id or name, Ollama tag, GGUF file name or Hugging Face id
                (no model: the seed article's table, checked against physics)
  --quant       q4_k_m, Q8_0, f16, bf16, mxfp4, 4bit, ... (default: the model's native or Q4_K_M)
  --context     tokens of KV cache to allocate (e.g. 8192 or 32k)
  --workflow    chat | coding | rag | image | video | fine-tune | training | serving
  --priority    speed | silence | power | budget | balanced
  --device      first device (default rtx-5090); --against: second (default mac-studio-m4-max-128gb)
  --hours, --kwh-price, --years   electricity and ownership (defaults 8 h/day, $0.16/kWh, 3 years)
  --tokens-per-day, --api-price   daily volume and the API price to break even against
  --chart       also write the answer's chart as a PNG to FILE (where it went is said on stderr)

Free text works too; flags given beside it win:
  whichgpu compare llama 3.3 70b q8 for coding, 8h a day at 30 cents

Example: whichgpu compare --model qwen2.5-coder:32b --workflow coding --kwh-price 0.30`,
  estimate: `Usage: whichgpu estimate --jsonl < queries.jsonl

Each line: {"id"?, "device": ID | DeviceSpec, "model": TEXT | ModelSpec, "quant"?, "contextTokens"?, "depthTokens"?,
            "promptTokens"?, "microBatch"?, "flashAttention"?, "build"?}
  (prefill: the prompt at that depth, default 512; -ub, default 512; -fa, default the build's: on since 2025-09)
  DeviceSpec = {name?, memoryGB, bandwidthGBs, backend: cuda|metal|rocm|vulkan|cpu, gpus?, unified?,
                fp16Tflops?, systemMemoryGB?, systemBandwidthGBs?}   (memory, bandwidth, TFLOPS per GPU;
                gpus: a llama.cpp layer split, which pipelines a longer prompt's micro-batches over the cards;
                a metal device named with its chip, "Apple M1 Max", pays that generation's per-layer cost)
  ModelSpec  = {name?, paramsB, activeParamsB?, quant, fileGB?, layers?, kvHeads?, headDim?}
Each result: {"id", "fit", "memory": {...}, "decodeTokensPerSec", "prefillTokensPerSec", ...}
A bad line prints {"id", "error": {"code", "message"}} and the run goes on.`,
  plan: `Usage: whichgpu plan [--device ID]... [--current ID] [--workflow W] [--context N] [--min-speed T]
                     [--budget USD] [--offload] [--limit N] [--json] [--chart FILE]

  --device      a machine to plan for (repeat for more; default rtx-5090 and mac-studio-m4-max-128gb)
  --current     the machine you have: planned first, the others as upgrades over it
  --workflow    chat | coding | rag | image | video | fine-tune (default chat)
  --context     tokens of context each pick must hold (default: the workflow's, capped by the model)
  --min-speed   decode tokens/s a pick must reach (default 8, "usable")
  --budget      hardware budget in USD: machines above it are marked
  --offload     allow picks that keep part of the model in system RAM
  --limit       picks per machine (default 5, at most 25)
  --resale      what your current machine would sell for, in USD (an upgrade's net cost)
  --json        the plan object of ../shared/ARCHITECTURE.md
  --chart       also write the plan's chart (quality against speed, or time per image or clip) as a PNG`,
  ask: `Usage: whichgpu ask TEXT... [--json]
       whichgpu ask --jsonl < questions.jsonl

A question as you would ask a person, read the way the bots read it:
  whichgpu ask "mac studio or 5090 for llama 3.3 70b?"
  whichgpu ask "can I run qwen 2.5 coder 32b on my 3090" --json
When a guess would change the answer, it asks back with the choices: ask again with the one you mean.

--json   the reading and the answer: {"id", "intent", "model", "quant", "contextTokens", "workflow",
         "priority", "devices", "answer" (the verdict of compare --json), "clarify", "error"}
--jsonl  one {"id"?, "text"} a line on stdin (lines end at \\n only), one such result a line out, in
         order; a bad line gives the same shape with its "error" and the run goes on.`,
  devices: 'Usage: whichgpu devices [--json]',
  models: 'Usage: whichgpu models [--json]',
};

/** "32k" -> 32768, "128000" -> 128000. */
export function parseTokens(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} takes a number of tokens such as 8192 or 32k, not "${text}".`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1024 : m[2]?.toLowerCase() === 'm' ? 1024 * 1024 : 1);
  return Math.round(n);
}

function parseNumber(text: string, flag: string): number {
  const n = Number(text.replace(/^\$/, ''));
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number, not "${text}".`);
  return n;
}

const compareOptions = {
  ...COMPARE_FLAGS,
  json: { type: 'boolean' },
  chart: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export function compareInputFromFlags(v: Record<string, string | boolean | undefined>): CompareInput {
  return compareInputOfFlags(v, { number: parseNumber, tokens: parseTokens }) as CompareInput;
}

export interface Io {
  /** Writes a line; false means the reader is behind, and `drained` says when to go on. */
  stdout: (s: string) => boolean | void;
  /** Resolves when a slow reader has caught up (stdout's 'drain'); without it, writes never wait. */
  drained?: () => Promise<void>;
  stderr: (s: string) => void;
  stdin: NodeJS.ReadableStream;
  color: boolean;
}

/**
 * Writes a line and, when the reader is behind, waits for it: a bulk `estimate --jsonl` with a
 * slow reader otherwise queued every result in memory (483 MB in the review).
 */
async function write(io: Io, line: string): Promise<void> {
  if (io.stdout(line) === false && io.drained) await io.drained();
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(
  argv: string[],
  io: Io,
  catalog: Catalog = loadCatalog(),
  lookup?: ModelLookup,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP.main!);
        return command === undefined ? 2 : 0;
      case 'ask':
        return await askCommand(rest, io, catalog, lookup);
      case 'compare':
        return compareCommand(rest, io, catalog);
      case 'plan':
        return planCommand(rest, io, catalog);
      case 'estimate':
        return await estimateCommand(rest, io, catalog);
      case 'report':
        return await reportCommand(rest, io, catalog);
      case 'devices':
      case 'models':
        return listCommand(command, rest, io, catalog);
      default:
        throw new UsageError(`Unknown command "${command}". Try: ask, compare, estimate, devices, models, help.`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${(e as Error).message}\nRun with --help for usage.`);
      return 2;
    }
    throw e;
  }
}

function compareCommand(args: string[], io: Io, catalog: Catalog): number {
  const { values, positionals } = parseArgs({ args, options: compareOptions, strict: true, allowPositionals: true });
  if (values.help) return (io.stdout(HELP.compare!), 0);
  // Free text ("compare llama 3.3 70b q8 for coding") first; explicit flags win over it.
  const fromText = positionals.length ? understand(catalog, positionals.join(' ')) : undefined;
  const flags = compareInputFromFlags(values);
  const named = compareNamed(catalog, { ...(fromText?.ok ? fromText.value.input : {}), ...flags });
  const r = named.verdict;
  for (const note of named.notes) io.stderr(`Note: ${note}.`);
  if (!r.ok) {
    if (values.json) io.stdout(JSON.stringify({ error: r.error }));
    io.stderr(errorText(r.error));
    return 2;
  }
  io.stdout(values.json ? verdictJson(r.value, 2) : renderText(r.value, { color: io.color }));
  return values.chart ? writeChart(io, values.chart, chartForVerdict(r.value, { catalog, layout: 'full' })) : 0;
}

/**
 * `--chart FILE`: the chart beside the answer, said on stderr so stdout keeps the answer alone (and
 * --json stays one JSON text). An answer without a chart still succeeds; a file that cannot be written
 * fails the run (exit 1).
 */
function writeChart(io: Io, file: string, chart: Chart | undefined): number {
  if (!chart) {
    io.stderr(`No chart for this answer; ${file} was not written.`);
    return 0;
  }
  try {
    writeFileSync(file, chart.png);
  } catch (e) {
    io.stderr(`Could not write the chart to ${file}: ${(e as Error).message}`);
    return 1;
  }
  io.stderr(`Chart written to ${file} (${chart.width}x${chart.height} px, ${Math.ceil(chart.png.length / 1024)} KB).`);
  return 0;
}

/** The reply the bots give to an answer, for the terminal's renderer. */
function replyOf(a: AskAnswer): Reply {
  if (a.reading.intent === 'help' && !a.answer && !a.clarify && !a.error) return { kind: 'help', text: HELP_TEXT };
  if (a.clarify) return { kind: 'clarify', question: a.clarify.question, choices: a.clarify.choices };
  if (a.error) return { kind: 'error', error: a.error };
  if (a.plan) return { kind: 'plan', plan: a.plan, notes: a.reading.notes };
  if (a.answer) return { kind: 'verdict', verdict: a.answer, queryKey: '', notes: a.reading.notes };
  return {
    kind: 'error',
    error: { code: 'INVALID_QUERY', message: "I couldn't find a question about a model or a machine there." },
  };
}

/** The contract's object as one JSON text; the verdict inside it serialised as `compare --json` does. */
const askJsonText = (o: AskJson | AskLineError, indent?: number) => JSON.stringify(o, verdictReplacer, indent);

/** A line of `ask --jsonl` that could not be asked: the contract's shape, empty but for its id and error. */
type AskLineError = Omit<AskJson, 'id' | 'intent'> & { id: string | number | null; intent: null };
const lineError = (id: string | number | null, message: string): AskLineError => ({
  id,
  intent: null,
  model: null,
  quant: null,
  contextTokens: null,
  workflow: null,
  priority: null,
  devices: [],
  answer: null,
  clarify: null,
  error: { code: 'INVALID_QUERY', message },
});

/** One `ask --jsonl` line in, one result out; never throws. */
export function askLine(catalog: Catalog, line: string, n: number): AskJson | AskLineError {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return lineError(`line-${n}`, `line ${n} is not valid JSON`);
  }
  const o = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null;
  if (typeof o.text !== 'string' || o.text.trim() === '')
    return lineError(id, `line ${n} has no "text": give {"id"?, "text": "your question"}`);
  try {
    // An id keeps its JSON type (a number stays a number), as estimate --jsonl does.
    return { ...askJson(ask(catalog, o.text)), id } as AskJson | AskLineError;
  } catch (e) {
    // A bug must not stop a bulk run: report it on this line and go on.
    return lineError(id, `internal error: ${(e as Error).message}`);
  }
}

async function askCommand(args: string[], io: Io, catalog: Catalog, lookup?: ModelLookup): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, jsonl: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return (io.stdout(HELP.ask!), 0);
  if (values.jsonl) {
    if (positionals.length) throw new UsageError('ask --jsonl reads questions from stdin, not from the command line.');
    let n = 0;
    for await (const line of jsonLines(io.stdin)) {
      n++;
      if ('tooLong' in line) {
        await write(io, askJsonText(lineError(`line-${n}`, `Line ${n} is longer than ${MAX_LINE_CHARS} characters.`)));
        continue;
      }
      if (line.text.trim() === '') continue;
      await write(io, askJsonText(askLine(catalog, line.text, n)));
    }
    return 0;
  }
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('ask takes a question: whichgpu ask 5090 or mac studio for llama 3.3 70b?');
  // One question may look a pasted model up on the Hub or the registry; a --jsonl batch never does.
  const looked = await learnedFor({ catalog, lookup }, text);
  const a = ask(catalog, text, looked.learned ? { learned: looked.learned } : {});
  a.reading.notes.unshift(...looked.notes);
  if (values.json) io.stdout(askJsonText(askJson(a), 2));
  else {
    const reply = replyOf(a);
    if (reply.kind === 'error') io.stderr(renderReply(reply, { color: false }));
    else io.stdout(renderReply(reply, { color: io.color }));
  }
  return a.error ? 2 : 0;
}

function planCommand(args: string[], io: Io, catalog: Catalog): number {
  const { values } = parseArgs({
    args,
    options: {
      device: { type: 'string', multiple: true },
      current: { type: 'string' },
      workflow: { type: 'string' },
      context: { type: 'string' },
      'min-speed': { type: 'string' },
      budget: { type: 'string' },
      offload: { type: 'boolean' },
      limit: { type: 'string' },
      resale: { type: 'string' },
      json: { type: 'boolean' },
      chart: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return (io.stdout(HELP.plan!), 0);
  const input = {
    ...(values.device ? { devices: values.device } : {}),
    ...(values.current ? { current: values.current } : {}),
    ...(values.workflow ? { workflow: values.workflow } : {}),
    ...(values.context ? { contextTokens: parseTokens(values.context, 'context') } : {}),
    ...(values['min-speed'] ? { minTokensPerSec: parseNumber(values['min-speed'], 'min-speed') } : {}),
    ...(values.budget ? { budgetUSD: parseNumber(values.budget, 'budget') } : {}),
    ...(values.offload ? { allowOffload: true } : {}),
    ...(values.limit ? { limit: parseNumber(values.limit, 'limit') } : {}),
    ...(values.resale ? { resaleUSD: parseNumber(values.resale, 'resale') } : {}),
  };
  const r = plan(catalog, input);
  if (!r.ok) {
    io.stderr(errorText(r.error));
    return 2;
  }
  if (values.json) io.stdout(JSON.stringify(r.value, null, 2));
  else io.stdout(renderReply({ kind: 'plan', plan: r.value, notes: [] }, { color: io.color }));
  return values.chart ? writeChart(io, values.chart, chartForPlan(r.value, { layout: 'full' })) : 0;
}

async function estimateCommand(args: string[], io: Io, catalog: Catalog): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { jsonl: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return (io.stdout(HELP.estimate!), 0);
  if (!values.jsonl)
    throw new UsageError('estimate reads JSON lines from stdin: use `estimate --jsonl < queries.jsonl`.');
  let n = 0;
  for await (const line of jsonLines(io.stdin)) {
    n++;
    if ('tooLong' in line) {
      await write(
        io,
        JSON.stringify({
          id: `line-${n}`,
          error: { code: 'INVALID_QUERY', message: `Line ${n} is longer than ${MAX_LINE_CHARS} characters.` },
        }),
      );
      continue;
    }
    if (line.text.trim() === '') continue;
    await write(io, JSON.stringify(estimateLine(catalog, line.text, n)));
  }
  return 0;
}

function listCommand(command: 'devices' | 'models', args: string[], io: Io, catalog: Catalog): number {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return (io.stdout(HELP[command]!), 0);
  const json = values.json === true;
  if (command === 'devices') print(io, json, deviceRows(catalog), deviceLine);
  else print(io, json, modelRows(catalog), modelLine);
  return 0;
}

/** Rows as pretty JSON or one line each. */
function print<R>(io: Io, json: boolean, rows: R[], line: (row: R) => string): void {
  io.stdout(json ? JSON.stringify(rows, null, 2) : rows.map(line).join('\n'));
}

/**
 * The curated machines, then every chip of the chip table at its usual memory (other sizes, counts
 * and host RAM compose: "2x-rtx-3090-ram-64gb", "macbook-pro-m2-max-96gb").
 */
function deviceRows(catalog: Catalog) {
  const row = (d: CatalogDevice, memoryOptionsGB: number[]) => ({
    id: d.id,
    name: d.name,
    backend: d.backend,
    gpus: d.gpus,
    memoryGB: d.memoryGB,
    memoryOptionsGB,
    bandwidthGBs: d.bandwidthGBs,
    fp16Tflops: d.fp16Tflops,
    priceUSD: { low: d.record.priceUSD.low, high: d.record.priceUSD.high },
  });
  const curated = catalog.devices.map((d) => row(d, [d.memoryGB]));
  const composed = catalog.chips
    .filter((c) => !c.id.startsWith('generic-'))
    .map((chip) =>
      row(
        catalog.machine({ chip, variant: chip.variants[0]!, gpus: 1, hostRamGB: null, form: chip.forms?.[0] ?? null }),
        chip.variants.map((v) => v.memoryGB),
      ),
    )
    .filter((r) => !curated.some((c) => c.id === r.id));
  return [...curated, ...composed];
}

const deviceLine = (d: ReturnType<typeof deviceRows>[number]) =>
  `${d.id.padEnd(34)} ${String(d.memoryGB * d.gpus).padStart(4)} GB  ${String(d.bandwidthGBs).padStart(5)} GB/s  ${d.backend.padEnd(6)} $${d.priceUSD.low}-${d.priceUSD.high}  ${d.name}`;

function modelRows(catalog: Catalog) {
  return catalog.models.map((m) => ({
    id: m.id,
    name: m.name,
    paramsB: m.paramsB,
    activeParamsB: m.activeParamsB,
    layers: m.layers,
    kvHeads: m.kvHeads,
    headDim: m.headDim,
    maxContext: m.maxContext,
    ollama: m.record.ollama,
    fileGB: m.fileGB,
  }));
}

const modelLine = (m: ReturnType<typeof modelRows>[number]) =>
  `${m.id.padEnd(30)} ${String(m.paramsB).padStart(6)}B${m.activeParamsB < m.paramsB ? ` (${m.activeParamsB}B active)` : ''}  ${m.name}`;

// cli.js: the esbuild bundle in dist/ (node dist/console/cli.js ...).
const isMain = process.argv[1] !== undefined && /cli\.[jt]s$|whichgpu(\.js)?$/.test(process.argv[1]);
if (isMain) {
  const code = await runCli(
    process.argv.slice(2),
    {
      stdout: (s) => process.stdout.write(`${s}\n`),
      drained: () => once(process.stdout, 'drain').then(() => undefined),
      stderr: (s) => process.stderr.write(`${s}\n`),
      stdin: process.stdin,
      color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    },
    loadCatalog(),
    // The CLI keeps no database: a lookup is asked each time (MODEL_LOOKUP=off turns it off).
    modelLookupFor(
      {
        HF_ENDPOINT: process.env.HF_ENDPOINT,
        HF_TOKEN: process.env.HF_TOKEN,
        OLLAMA_REGISTRY_URL: process.env.OLLAMA_REGISTRY_URL,
        MODEL_LOOKUP: process.env.MODEL_LOOKUP === 'off' ? 'off' : 'on',
      },
      undefined,
    ),
  );
  process.exitCode = code;
}
