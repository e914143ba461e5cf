/**
 * `whichgpu report`: reads a pasted benchmark output on stdin (llama-bench, `ollama run --verbose`,
 * LM Studio's statistics, `mlx_lm.generate`, or fields) and prints what it measured and what a report
 * would still need; the bots read pastes with the same core reader.
 */
import { parseArgs } from 'node:util';
import { MAX_REPORT_CHARS, readReport, type Catalog, type Measurement, type ReportReading } from '../core/index.js';
import type { Io } from './cli.js';

export const REPORT_HELP = `Usage: whichgpu report [--device ID] [--model TEXT] [--json] < pasted-output

Reads what a benchmark printed: a llama-bench table (or its -o csv / json / jsonl), the statistics of
\`ollama run --verbose\`, LM Studio's "tok/sec" line, \`mlx_lm.generate\`'s Prompt/Generation lines, or
fields ("machine: 4090, model: qwen3 32b q4_k_m, decode 38 tok/s, prefill 2100 tok/s, depth 8k").

  --device   the machine it ran on, when the paste does not say (catalog id or name: whichgpu devices)
  --model    the model and quant, when the paste does not say ("llama 3.1 8b q4_k_m", an Ollama tag)
  --json     {"measurements": [{"device", "model", "quant", "runtime", "depthTokens", "promptTokens",
             "decodeTokensPerSec", "prefillTokensPerSec"}], "missing": [...], "format", "notes"}

Pastes longer than ${MAX_REPORT_CHARS} characters are refused. Exits 2 when nothing was measured.`;

/** The contract's fields of a measurement, in the contract's order. */
const measurementJson = (m: Measurement) => ({
  device: m.device,
  model: m.model,
  quant: m.quant,
  runtime: m.runtime,
  depthTokens: m.depthTokens,
  promptTokens: m.promptTokens,
  decodeTokensPerSec: m.decodeTokensPerSec,
  prefillTokensPerSec: m.prefillTokensPerSec,
});

/** `report --json`: the ARCHITECTURE contract, then how the paste was read. */
export function reportJson(r: ReportReading) {
  return { measurements: r.measurements.map(measurementJson), missing: r.missing, format: r.format, notes: r.notes };
}

const FORMAT_NAMES: Record<ReportReading['format'], string> = {
  'llama-bench': 'llama-bench output',
  ollama: '`ollama run --verbose` statistics',
  'lm-studio': "LM Studio's statistics",
  'mlx-lm': '`mlx_lm.generate` output',
  fields: 'fields',
  unknown: 'unknown',
};

const ASK: Record<ReportReading['missing'][number], string> = {
  device: 'the machine: --device ID (whichgpu devices)',
  model: 'the model: --model TEXT',
  quant: 'the quant: --model with it ("llama 3.1 8b q4_k_m")',
  'decodeTokensPerSec|prefillTokensPerSec': 'a speed: paste the output that prints tok/s',
};

/** One line of figures: "decode 59.02 tok/s · prefill 1937.54 tok/s · 2048-token prompt · depth 4096". */
function figures(m: Measurement): string {
  const parts = [
    m.decodeTokensPerSec !== null ? `decode ${m.decodeTokensPerSec} tok/s` : '',
    m.prefillTokensPerSec !== null ? `prefill ${m.prefillTokensPerSec} tok/s` : '',
    m.promptTokens !== null ? `${m.promptTokens}-token prompt` : '',
    m.depthTokens !== null ? `depth ${m.depthTokens}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The terminal's summary: measurements grouped by what they ran on, then what is missing and why. */
export function reportSummary(r: ReportReading): string {
  const count = `${r.measurements.length} measurement${r.measurements.length === 1 ? '' : 's'}`;
  const lines = [
    r.format === 'unknown' ? 'Nothing measured in the paste.' : `Read as ${FORMAT_NAMES[r.format]}: ${count}`,
  ];
  const groups = new Map<string, Measurement[]>();
  for (const m of r.measurements) {
    const runtime = [m.runtime, m.runtimeVersion].filter(Boolean).join(' ');
    const key = `${m.model ?? '(model?)'} ${m.quant ?? '(quant?)'} on ${m.device ?? '(device?)'}${runtime ? `, ${runtime}` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const [key, ms] of groups) lines.push(`  ${key}`, ...ms.map((m) => `    ${figures(m)}`));
  if (r.missing.length) lines.push('Still needed:', ...r.missing.map((f) => `  ${ASK[f]}`));
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** Stdin as text, up to one character past the cap (enough for the reader to refuse it); the rest is drained. */
async function readPaste(stdin: NodeJS.ReadableStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stdin) {
    if (text.length > MAX_REPORT_CHARS) continue;
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
  }
  text += decoder.decode();
  return text.slice(0, MAX_REPORT_CHARS + 1);
}

export async function reportCommand(args: string[], io: Io, catalog: Catalog): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      device: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return (io.stdout(REPORT_HELP), 0);
  const reading = readReport(await readPaste(io.stdin), catalog, {
    ...(values.device ? { device: values.device } : {}),
    ...(values.model ? { model: values.model } : {}),
  });
  const measured = reading.measurements.length > 0;
  if (values.json) io.stdout(JSON.stringify(reportJson(reading), null, 2));
  else if (measured) io.stdout(reportSummary(reading));
  else io.stderr(reportSummary(reading));
  return measured ? 0 : 2;
}
