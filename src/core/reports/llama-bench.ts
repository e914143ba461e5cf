/**
 * llama-bench output, in each of its printers: the markdown table (the default), `-o csv`, `-o json`
 * and `-o jsonl`. One run per row: a `pp` row is prefill with its prompt length, a `tg` row decoding,
 * either at the depth `@ d8192` says. A `pp4096+tg128` row times both together and is neither speed.
 * The log lines pasted around a table name the device ("Device 0: NVIDIA GeForce RTX 4090, ...").
 */
import { safeEcho } from '../query/echo.js';
import {
  emptyRun,
  fileOf,
  llamaCppBuild,
  numberOf,
  pastedModelRefs,
  speedOf,
  type RawReport,
  type RawRun,
} from './raw.js';

/** "pp512", "tg128", "pp 512" (builds before mid-2024), "pp2048 @ d4096". */
const TEST = /^(pp|tg)[ ]?(\d{1,7})(?:[ ]*@[ ]*d(\d{1,8}))?$/i;
const COMBINED = /^pp[ ]?\d{1,7}[ ]?\+[ ]?tg[ ]?\d{1,7}/i;

/** A run from a test name and its t/s cell; 'combined' for pp+tg rows, null for anything else. */
function runOf(test: string, ts: string): RawRun | 'combined' | null {
  if (COMBINED.test(test)) return 'combined';
  const t = TEST.exec(test);
  const speed = speedOf(/^\d+(?:\.\d+)?/.exec(ts.trim())?.[0]);
  if (!t || speed === null) return null;
  const n = Number(t[2]);
  const depth = t[3] ? Number(t[3]) : 0;
  return t[1]!.toLowerCase() === 'pp'
    ? { ...emptyRun(), prefill: speed, promptTokens: n, depthTokens: depth }
    : { ...emptyRun(), decode: speed, depthTokens: depth };
}

/** A quant word in a model type: "Q4_K", "IQ4_NL", "Q8_0", "MXFP4", "BF16". */
const QUANT_WORD = /^(?:I?Q\d(?:_[A-Z0-9]{1,4}){0,3}|TQ\d_\d|MXFP4|NVFP4|BF16|F16|F32)$/i;

/**
 * A model type as llama.cpp names the file type: "llama 8B Q4_K - Medium" -> llama 8B, Q4_K_M;
 * "gpt-oss 120B MXFP4 MoE" -> MXFP4; "llama 7B mostly Q4_0" (older builds) -> Q4_0;
 * "qwen3next 80B.A3B IQ4_NL - 4.5 bpw" -> IQ4_NL.
 */
export function splitModelType(type: string): { name: string; quant: string | null } {
  const words = type.trim().split(/\s+/);
  const i = words.findIndex((w, k) => k >= 1 && QUANT_WORD.test(w));
  if (i < 0) return { name: words.join(' '), quant: null };
  const end = /^(mostly|all)$/i.test(words[i - 1] ?? '') ? i - 1 : i;
  let quant = words[i]!.toUpperCase();
  const size = /^(small|medium|large)$/i.exec(words[i + 2] ?? '');
  if (words[i + 1] === '-' && size) quant += `_${size[1]![0]!.toUpperCase()}`;
  return { name: words.slice(0, end).join(' '), quant };
}

/** No llama-bench table line is this long (its widest tables are a few hundred characters). */
const MAX_TABLE_LINE = 2000;

/** The cells of a markdown table line, or null when the line is not one. */
function cellsOf(line: string): string[] | null {
  const t = line.trim();
  if (!t.startsWith('|') || t.length < 2 || t.length > MAX_TABLE_LINE) return null;
  return (t.endsWith('|') ? t.slice(1, -1) : t.slice(1)).split('|').map((c) => c.trim());
}

const isRule = (cells: string[]) => cells.every((c) => /^:?-{1,}:?$/.test(c));

interface Rows {
  runs: RawRun[];
  combined: number;
  other: number;
}

/** Every llama-bench table in the lines (header with model, test and t/s columns; other tables are skipped). */
function markdownRows(lines: string[]): Rows | null {
  const rows: Rows = { runs: [], combined: 0, other: 0 };
  let found = false;
  for (let i = 0; i < lines.length; i++) {
    const header = cellsOf(lines[i]!)?.map((c) => c.toLowerCase());
    if (!header) continue;
    const [iModel, iTest, iTs] = [header.indexOf('model'), header.indexOf('test'), header.indexOf('t/s')];
    const rule = cellsOf(lines[i + 1] ?? '');
    if (iModel < 0 || iTest < 0 || iTs < 0 || !rule || !isRule(rule)) continue;
    found = true;
    let j = i + 2;
    for (let cells = cellsOf(lines[j] ?? ''); cells; cells = cellsOf(lines[++j] ?? '')) {
      const run = cells.length === header.length ? runOf(cells[iTest]!, cells[iTs]!) : null;
      if (run === 'combined') rows.combined++;
      else if (run === null) rows.other++;
      else rows.runs.push({ ...run, modelType: cells[iModel]! });
    }
    i = j - 1;
  }
  return found ? rows : null;
}

/** A CSV line's fields (llama-bench quotes every field; quotes inside are doubled). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quoted) {
      if (c === '"' && line[k + 1] === '"') ((field += '"'), k++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (out.push(field), (field = ''));
    else field += c;
  }
  out.push(field);
  return out;
}

type Row = Record<string, unknown>;

/** `-o csv`: the header names the fields; a row of another length is left out, not guessed. */
function csvRows(lines: string[]): { rows: Row[]; bad: number } | null {
  const at = lines.findIndex((l) => /(^|,)"?model_type"?(,|$)/.test(l) && /(^|,)"?avg_ts"?(,|$)/.test(l));
  if (at < 0) return null;
  const header = csvFields(lines[at]!.trim());
  const out = { rows: [] as Row[], bad: 0 };
  for (const line of lines.slice(at + 1)) {
    if (!line.includes(',')) break;
    const fields = csvFields(line.trim());
    if (fields.length !== header.length) {
      out.bad++;
      continue;
    }
    out.rows.push(Object.fromEntries(header.map((h, k) => [h, fields[k]])));
  }
  return out;
}

/** `-o json` (one array) or `-o jsonl` (one object a line). */
function jsonRows(text: string, lines: string[]): Row[] | null {
  const isRow = (o: unknown): o is Row => typeof o === 'object' && o !== null && !Array.isArray(o) && 'avg_ts' in o;
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start >= 0 && end > start) {
    try {
      const parsed: unknown = JSON.parse(text.slice(start, end + 1));
      if (Array.isArray(parsed) && parsed.some(isRow)) return parsed.filter(isRow);
    } catch {
      // Not one array: perhaps one object a line.
    }
  }
  const rows: Row[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{') || !t.endsWith('}')) continue;
    try {
      const o: unknown = JSON.parse(t);
      if (isRow(o)) rows.push(o);
    } catch {
      // A line that only looks like an object.
    }
  }
  return rows.length ? rows : null;
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

/** A CSV or JSON record: `n_prompt` > 0 is prefill, `n_gen` > 0 decoding, both together neither. */
function recordRun(o: Row): RawRun | 'combined' | null {
  const prompt = numberOf(str(o.n_prompt)) ?? 0;
  const gen = numberOf(str(o.n_gen)) ?? 0;
  const speed = speedOf(str(o.avg_ts));
  if (prompt > 0 && gen > 0) return 'combined';
  if (speed === null || (prompt === 0 && gen === 0)) return null;
  const run: RawRun = {
    ...emptyRun(),
    modelRef: str(o.model_filename) ? fileOf(str(o.model_filename)) : null,
    modelType: str(o.model_type) || null,
    deviceText: str(o.gpu_info) || null,
    depthTokens: numberOf(str(o.n_depth)) ?? 0,
  };
  return prompt > 0 ? { ...run, prefill: speed, promptTokens: prompt } : { ...run, decode: speed };
}

/**
 * The device llama.cpp's log names: CUDA/ROCm "Device 0: NVIDIA GeForce RTX 4090, compute
 * capability 8.9", Vulkan "ggml_vulkan: 0 = AMD Radeon RX 580 Series (RADV POLARIS10)", Metal
 * "GPU name:   Apple M2 Max". Several of one card are counted ("2x NVIDIA GeForce RTX 3090").
 */
export function deviceOfLog(lines: string[], notes: string[]): string | null {
  const byBackend = new Map<string, Map<string, string>>();
  const put = (backend: string, index: string, name: string) => {
    const names = byBackend.get(backend) ?? new Map<string, string>();
    names.set(index, name.trim());
    byBackend.set(backend, names);
  };
  for (const line of lines) {
    const cuda = /^\s*Device (\d{1,2}): ([^,]{1,100}),/.exec(line);
    if (cuda) put('cuda', cuda[1]!, cuda[2]!);
    const vulkan = /^\s*ggml_vulkan: (\d{1,2}) = ([^(|]{1,100})/.exec(line);
    if (vulkan) put('vulkan', vulkan[1]!, vulkan[2]!);
    const metal = /GPU name:\s+(?:MTL\d\s*\()?(Apple [^)]{1,60})/.exec(line);
    if (metal) put('metal', '0', metal[1]!);
  }
  const names = [...new Set([...byBackend.values()].flatMap((m) => [...m.values()]))];
  if (names.length === 0) return null;
  if (names.length > 1) {
    const said = names.map((n) => safeEcho(n, 60)).filter(Boolean);
    notes.push(`the log names ${names.length} devices (${said.join(', ')}): say which ran with --device`);
    return null;
  }
  const count = Math.max(...[...byBackend.values()].map((m) => m.size));
  return count > 1 ? `${count}x ${names[0]}` : names[0]!;
}

/** Notes for rows left out. */
function leftOut(combined: number, other: number, bad = 0): string[] {
  const notes: string[] = [];
  if (combined)
    notes.push(
      `left out ${combined} pp+tg row${combined > 1 ? 's' : ''}: prompt and generation timed together are neither speed`,
    );
  if (other)
    notes.push(`left out ${other} row${other > 1 ? 's' : ''} that name${other > 1 ? '' : 's'} no pp or tg test`);
  if (bad) notes.push(`left out ${bad} CSV row${bad > 1 ? 's' : ''} whose fields do not match the header`);
  return notes;
}

/** The models the tables name, matched to the files the paste names when they pair up one to one. */
function withRefs(runs: RawRun[], text: string, notes: string[]): RawRun[] {
  const refs = pastedModelRefs(text);
  const types = [...new Set(runs.map((r) => r.modelType ?? ''))];
  if (refs.length === 0) return runs;
  if (refs.length !== types.length) {
    notes.push(`the paste names ${refs.length} model files for ${types.length} models in its tables: read the tables`);
    return runs;
  }
  return runs.map((r) => ({ ...r, modelRef: refs[types.indexOf(r.modelType ?? '')] ?? null }));
}

/** llama-bench output in any printer, or null when the text holds none. */
export function readLlamaBench(text: string, lines: string[]): RawReport | null {
  const base = { format: 'llama-bench' as const, runtime: 'llama.cpp', freeText: false };
  const md = markdownRows(lines);
  if (md) {
    const notes = leftOut(md.combined, md.other);
    const runs = withRefs(md.runs, text, notes);
    const deviceText = deviceOfLog(lines, notes);
    return { ...base, runtimeVersion: llamaCppBuild(text), runs: typed(runs), deviceText, notes };
  }
  const csv = csvRows(lines);
  const records = csv?.rows ?? jsonRows(text, lines);
  if (!records) return null;
  const runs: RawRun[] = [];
  let combined = 0;
  let other = 0;
  for (const o of records) {
    const run = recordRun(o);
    if (run === 'combined') combined++;
    else if (run === null) other++;
    else runs.push(run);
  }
  const first = records[0];
  const build = first && str(first.build_commit) ? `${str(first.build_commit)} (${str(first.build_number)})` : null;
  return {
    ...base,
    runtimeVersion: build ?? llamaCppBuild(text),
    runs: typed(runs),
    deviceText: null,
    notes: leftOut(combined, other, csv?.bad ?? 0),
  };
}

/** The quant each run's model type names, beside the model it names. */
function typed(runs: RawRun[]): RawRun[] {
  return runs.map((r) => {
    if (!r.modelType) return r;
    const { quant } = splitModelType(r.modelType);
    return { ...r, quantText: quant };
  });
}
