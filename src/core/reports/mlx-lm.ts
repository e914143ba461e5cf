/**
 * `mlx_lm.generate` (and `python -m mlx_lm generate`) output: "Prompt: 26 tokens, 123.456
 * tokens-per-sec", "Generation: 256 tokens, 45.678 tokens-per-sec", "Peak memory: 5.123 GB". Each
 * "Prompt:" line starts a run; a single prompt starts from an empty cache, so its depth is 0. The model
 * is the `--model` repository or path, when pasted.
 */
import { emptyRun, fileOf, numberOf, speedOf, type RawReport, type RawRun } from './raw.js';

const LINE = /^\s*(Prompt|Generation):\s*([\d,]{1,12}) tokens?,\s*([\d.,]{1,20}) tokens-per-sec/i;

export function readMlxLm(text: string, lines: string[]): RawReport | null {
  if (!/^\s*(?:Prompt|Generation):\s*[\d,]{1,12} tokens?,\s*[\d.,]{1,20} tokens-per-sec/im.test(text)) return null;
  const runs: RawRun[] = [];
  let run: RawRun | null = null;
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    if (m[1]!.toLowerCase() === 'prompt') {
      if (run) runs.push(run);
      run = { ...emptyRun(), depthTokens: 0, promptTokens: numberOf(m[2]), prefill: speedOf(m[3]) };
    } else {
      run ??= { ...emptyRun(), depthTokens: 0 };
      run.decode = speedOf(m[3]);
      runs.push(run);
      run = null;
    }
  }
  if (run) runs.push(run);
  const model = /(?:^|\s)--model[ \t]+(\S{1,300})/.exec(text)?.[1];
  const version = /\bmlx[_-]lm(?:[ \t]+version)?[ \t:=]+v?(\d{1,3}\.\d{1,3}\.\d{1,3})/i.exec(text)?.[1] ?? null;
  return {
    format: 'mlx-lm',
    runtime: 'mlx',
    runtimeVersion: version,
    runs: runs.map((r) => ({ ...r, modelRef: model ? fileOf(model) : null })),
    deviceText: null,
    freeText: false,
    notes: [],
  };
}
