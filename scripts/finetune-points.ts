/**
 * Reads data/finetune-runs.csv (measured fine-tuning runs, each with its source) into fine-tuning
 * points, with the chip's training tensor rate and bandwidth from the catalog. Used by
 * scripts/calibrate-finetune.ts and the tests.
 *
 * A run is held out of the fit when a hash of its source and device says so (a third of them,
 * fixed): the fit never sees them, whoever adds rows later.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  activeParamsWithEmbeddingB,
  attentionKernelOf,
  fineTuneFlopsPerToken,
  fingerprint,
  resolveDevice,
  trainingTflops,
  type Catalog,
  type CatalogDevice,
  withBackendDefaults,
  type FineTunePoint,
} from '../src/core/index.js';
import { root } from './calibration-points.js';

export const fineTuneRunsPath = join(root, 'data', 'finetune-runs.csv');

const RowSchema = z.object({
  device: z.string().min(1),
  tool: z.string(),
  model: z.string().min(1),
  /** The catalog's id of the model, whose layers, embedding and tying the FLOPs and memory use; blank: estimated. */
  model_id: z.string(),
  params_b: z.coerce.number().positive(),
  method: z.string(),
  precision: z.string(),
  batch: z.string(),
  seq_len: z.string(),
  tokens_per_sec: z.string(),
  seconds_per_step: z.string(),
  peak_memory_gb: z.string(),
  source: z.string().min(1),
  note: z.string(),
});
type Row = z.infer<typeof RowSchema>;

export interface FineTuneRunRow {
  row: Row;
  point: FineTunePoint;
  /** Peak memory the source measured, GB; undefined when not stated. */
  peakMemoryGB: number | undefined;
  holdout: boolean;
}

export interface SkippedFineTuneRow {
  row: Row;
  why: string;
}

/** A number that opens the field ("256 (repo default)" is 256); undefined when it does not. */
const leadingNumber = (s: string) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(s);
  return m ? Number(m[1]) : undefined;
};

/** "1x8" is one sequence per pass, eight passes per optimizer step; "2" is two sequences, one pass. */
function batchOf(s: string): { microBatch: number; gradAccum: number } | undefined {
  const m = /^\s*(\d+)\s*(?:x\s*(\d+))?\s*$/.exec(s);
  return m ? { microBatch: Number(m[1]), gradAccum: m[2] ? Number(m[2]) : 1 } : undefined;
}

/** What the note says about gradient checkpointing: off, on, or not stated. */
function checkpointingOf(note: string): boolean | undefined {
  if (/checkpointing (off|false)|no checkpointing|without (gradient )?checkpointing/i.test(note)) return false;
  if (/checkpointing/i.test(note)) return true;
  return undefined;
}

/** The catalog device, on the memory variant the name states ("A100-SXM4-80GB" is the 80 GB A100). */
function deviceOf(catalog: Catalog, name: string): CatalogDevice | undefined {
  const found = resolveDevice(catalog, name);
  if (!found.ok) return undefined;
  const stated = /(\d+)\s*GB\b/i.exec(name);
  if (stated && Number(stated[1]) !== found.value.memoryGB) {
    const bare = found.value.shortName.replace(/\s*\d+\s*GB\b/i, '');
    const variant = resolveDevice(catalog, `${bare} ${stated[1]}GB`);
    if (variant.ok && variant.value.memoryGB === Number(stated[1])) return variant.value;
  }
  return found.value;
}

const METHODS = new Set(['full', 'lora', 'qlora']);

/**
 * The model's shape from the catalog, and how far the backward reaches: LoRA on the top k layers
 * ("16 LoRA layers") stops it there; "full LoRA" adapts every layer; unsaid, the backend's tooling
 * default (`withBackendDefaults`).
 */
function architectureOf(catalog: Catalog, row: Row) {
  const spec = row.model_id ? catalog.model(row.model_id) : undefined;
  if (row.model_id && !spec) throw new Error(`finetune-runs.csv: model_id ${row.model_id} is not in the catalog`);
  if (!spec) return {};
  const adapted = /(\d+) LoRA layers/i.exec(row.note);
  const share = adapted ? Math.min(1, Number(adapted[1]) / spec.layers) : /full LoRA/i.test(row.note) ? 1 : undefined;
  return {
    layers: spec.layers,
    embeddingParamsB: spec.embeddingParamsB,
    tiedEmbeddings: spec.tiedEmbeddings,
    headDim: spec.headDim,
    ...(spec.activeParamsB < spec.paramsB ? { activeParamsB: activeParamsWithEmbeddingB(spec) } : {}),
    ...(share !== undefined ? { backwardShare: share } : {}),
  };
}

export function loadFineTuneRuns(catalog: Catalog): { runs: FineTuneRunRow[]; skipped: SkippedFineTuneRow[] } {
  const raw = parse(readFileSync(fineTuneRunsPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  const runs: FineTuneRunRow[] = [];
  const skipped: SkippedFineTuneRow[] = [];
  for (const r of raw) {
    const row = RowSchema.parse(r);
    const skip = (why: string) => skipped.push({ row, why });
    if (/aiDAPTIV/i.test(row.tool) || /offloads? to SSD/i.test(row.note)) {
      skip('offloads weights and optimizer state to SSD (aiDAPTIV): not a GPU-bound run');
      continue;
    }
    if (/px\b/.test(row.seq_len) || /FLUX|SDXL/i.test(row.model)) {
      skip('image-model LoRA (SDXL, FLUX): a separate kind, not modelled here');
      continue;
    }
    if (/mlx/i.test(row.tool) && /cuda/i.test(row.tool)) {
      skip('MLX on its CUDA backend: a runtime the model does not cover (PyTorch on CUDA, MLX on Metal)');
      continue;
    }
    if (!METHODS.has(row.method)) {
      skip('method not stated');
      continue;
    }
    if (/^8\s*bit/i.test(row.precision)) {
      skip('8-bit base weights (LLM.int8 matmuls): a kind the model does not cover');
      continue;
    }
    if (/DOUBT/.test(row.note)) {
      skip('marked doubtful in its note');
      continue;
    }
    const seqLen = leadingNumber(row.seq_len);
    const batch = batchOf(row.batch);
    if (!seqLen || !batch) {
      skip('sequence length or batch not stated');
      continue;
    }
    const device = deviceOf(catalog, row.device);
    if (!device) {
      skip('device not in the catalog');
      continue;
    }
    const tokensStated = leadingNumber(row.tokens_per_sec);
    const stepSec = leadingNumber(row.seconds_per_step);
    const tokensPerSec =
      tokensStated ?? (stepSec ? (batch.microBatch * batch.gradAccum * seqLen) / stepSec : undefined);
    if (!tokensPerSec) {
      skip('neither tokens per second nor seconds per step');
      continue;
    }
    const method = row.method as 'full' | 'lora' | 'qlora';
    const run = {
      method,
      paramsB: row.params_b,
      seqLen,
      ...batch,
      checkpointing: checkpointingOf(row.note),
      // torchtune's recipes use a chunked cross-entropy, Unsloth a fused one: no logits held per token.
      fusedLoss: /torchtune|unsloth/i.test(row.tool),
      ...architectureOf(catalog, row),
    };
    const fineTuneDevice = {
      backend: device.backend,
      trainingTflops: trainingTflops(device),
      bandwidthGBs: device.bandwidthGBs,
    };
    // FLOPs per token (checkpointing as the note says, else the backend's default) times tokens per
    // second cannot exceed the chip's peak: a row that implies more counts tokens some other way.
    const asRun = withBackendDefaults(run, device.backend);
    const { checkpointing } = asRun;
    const impliedTflops =
      (tokensPerSec * fineTuneFlopsPerToken(asRun, checkpointing, attentionKernelOf(device.backend))) / 1e12;
    if (impliedTflops > fineTuneDevice.trainingTflops) {
      skip(
        `faster than the chip allows: ${impliedTflops.toFixed(0)} TFLOPS ${checkpointing ? 'with' : 'without'} recompute, peak ${fineTuneDevice.trainingTflops}`,
      );
      continue;
    }
    const point: FineTunePoint = {
      label: `${device.shortName} · ${row.model} ${method} ${batch.microBatch}x${seqLen} · ${row.tool.split(' ')[0]}`,
      device: fineTuneDevice,
      run,
      tokensPerSec,
    };
    const holdout = parseInt(fingerprint(`${row.source}|${row.device}`), 16) % 3 === 0;
    runs.push({ row, point, peakMemoryGB: leadingNumber(row.peak_memory_gb), holdout });
  }
  return { runs, skipped };
}
