/**
 * `ollama run --verbose` (or `/set verbose`) statistics: "prompt eval count: 26 token(s)",
 * "prompt eval rate: 1234.5 tokens/s", "eval rate: 45.6 tokens/s". A paste may hold several answers;
 * each block of statistics is one run. The model is the tag after `ollama run`, when pasted.
 */
import { emptyRun, numberOf, speedOf, type RawReport, type RawRun } from './raw.js';

const LINE = /^\s*(total duration|prompt eval count|prompt eval rate|eval rate):\s*([\d.,]{1,20})/i;

/** The tag `ollama run` was given ("ollama run --verbose llama2", "ollama run gpt-oss:120b --verbose 'q'"). */
function tagOf(text: string): string | null {
  const run = /\bollama\s+run(?:\s+-{1,2}[\w-]{1,20})*\s+([\w.][\w.\-/:]{0,119})/i.exec(text);
  return run ? run[1]! : null;
}

export function readOllama(text: string, lines: string[]): RawReport | null {
  if (!/^\s*(?:prompt eval rate|eval rate):/im.test(text)) return null;
  const runs: RawRun[] = [];
  let run = emptyRun();
  const flush = () => {
    if (run.decode !== null || run.prefill !== null) runs.push(run);
    run = emptyRun();
  };
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'total duration') flush();
    else if (key === 'prompt eval count') run.promptTokens = numberOf(m[2]);
    else if (key === 'prompt eval rate') run.prefill = speedOf(m[2]);
    else if (key === 'eval rate') {
      run.decode = speedOf(m[2]);
      flush();
    }
  }
  flush();
  if (runs.length === 0) return null;
  const tag = tagOf(text);
  const version = /\bollama version(?: is)?\s+v?(\d{1,3}\.\d{1,3}\.\d{1,3})/i.exec(text)?.[1] ?? null;
  return {
    format: 'ollama',
    runtime: 'ollama',
    runtimeVersion: version,
    runs: runs.map((r) => ({ ...r, modelRef: tag })),
    deviceText: null,
    freeText: false,
    notes: [],
  };
}
