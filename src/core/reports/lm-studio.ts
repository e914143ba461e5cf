/**
 * LM Studio's statistics under an answer: "45.12 tok/sec • 512 tokens • 0.21s to first token • Stop
 * reason: EOS Token Found" (0.3), or typed out with commas; newer builds split the tokens into
 * "completion" and "prompt". Each line is one run; its speed is decoding. Time to first token is not
 * prefill speed (it holds loading and the whole prompt), so it is not read as one. The model and
 * machine are whatever the words around the numbers name.
 */
import { emptyRun, numberOf, speedOf, type RawReport, type RawRun } from './raw.js';

const SPEED = /(\d{1,6}(?:\.\d{1,4})?)\s*tok\/sec\b/i;

export function readLmStudio(text: string, lines: string[]): RawReport | null {
  const runs: RawRun[] = [];
  for (const line of lines) {
    const speed = SPEED.exec(line);
    // LM Studio's own line says more than a speed; "38 tok/sec" alone is a field someone typed.
    if (!speed || !/to first token|stop reason|•/i.test(line)) continue;
    const prompt = /(\d[\d,]{0,9})\s*(?:prompt)\b/i.exec(line.slice(speed.index));
    runs.push({ ...emptyRun(), decode: speedOf(speed[1]), promptTokens: numberOf(prompt?.[1]) });
  }
  if (runs.length === 0) return null;
  const version = /\bLM[ -]?Studio(?:[ \t]+version)?[ \t:-]+v?(\d{1,3}\.\d{1,3}\.\d{1,3})/i.exec(text)?.[1] ?? null;
  return {
    format: 'lm-studio',
    runtime: 'lm-studio',
    runtimeVersion: version,
    runs,
    deviceText: null,
    freeText: true,
    notes: [],
  };
}
