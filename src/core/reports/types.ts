/**
 * What a pasted benchmark output is read into: the measurements a community report carries, and
 * what it still needs before it can stand beside an estimate. The bots, the CLI's `report` and the
 * report store all use this one reading.
 */

/**
 * One measured run. `depthTokens` is what the KV cache already held when the run started
 * (llama-bench's `@ d8192`); decoding was measured after `depthTokens + (promptTokens ?? 0)` tokens
 * of context, so a llama-bench `tg` row has no prompt and an `mlx_lm.generate` run decodes after its
 * prompt. Null means the paste and the hints did not say.
 */
export interface Measurement {
  /** A catalog device id ("rtx-4090", "mac-studio-m3-ultra-512gb"). */
  device: string | null;
  /** A catalog model id ("gpt-oss-120b"). */
  model: string | null;
  /** A catalog quant id ("Q4_K_M", "MXFP4", "MLX-4bit"). */
  quant: string | null;
  /** "llama.cpp", "ollama", "lm-studio", "mlx", or what the fields named. */
  runtime: string | null;
  /** As the runtime prints it: llama.cpp's "2f68ce7cf (6918)", Ollama's "0.5.7". */
  runtimeVersion: string | null;
  depthTokens: number | null;
  promptTokens: number | null;
  decodeTokensPerSec: number | null;
  prefillTokensPerSec: number | null;
}

export type ReportFormat = 'llama-bench' | 'ollama' | 'lm-studio' | 'mlx-lm' | 'fields' | 'unknown';

/** What a measurement needs that the paste and the hints did not give, in this order. */
export type MissingField = 'device' | 'model' | 'quant' | 'decodeTokensPerSec|prefillTokensPerSec';

export interface ReportReading {
  measurements: Measurement[];
  missing: MissingField[];
  format: ReportFormat;
  /** What was read and how, in plain words: guesses, conflicts, rows left out. */
  notes: string[];
}

/** What the reporter said beside the paste (the CLI's --device and --model, a bot's options). */
export interface ReportHints {
  device?: string;
  model?: string;
}

/** A paste longer than this is refused, not cut: a truncated table would be read as a smaller one. */
export const MAX_REPORT_CHARS = 20_000;
