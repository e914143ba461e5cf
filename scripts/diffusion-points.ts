/**
 * Reads data/media-runs.csv (measured image and video generation runs, each with its source) into
 * diffusion points, joined with the model's shape (data/media-generation.json) and the chip's
 * throughput (data/machines). Shared by `npm run calibrate` (fit) and `npm run validate` (held out).
 *
 * A run is held out of the fit when a hash of its source and device says so (a third of them,
 * fixed): the fit never sees them, whoever adds rows later.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { fingerprint, type Catalog, type DiffusionPoint } from '../src/core/index.js';
import type { ChipRecord } from '../src/core/catalog/machine-schema.js';
import { root } from './calibration-points.js';

export const mediaRunsPath = join(root, 'data', 'media-runs.csv');

interface Row {
  device: string;
  device_id: string;
  backend: string;
  runtime: string;
  model_id: string;
  precision: string;
  width: string;
  height: string;
  steps: string;
  batch: string;
  frames: string;
  metric: string;
  value: string;
  source_url: string;
  source_date: string;
  note: string;
}

/**
 * Runs that do not measure the denoiser at the chip's 16-bit speed: weights streamed from system RAM
 * or swap (as their source says), steps skipped by a cache (TeaCache, first-block cache), or FP8
 * tensor math (twice the FP16 rate on Ada and Hopper, which the model does not assume). A run
 * whose pipeline does not fit the chip's memory is left out by the physics as well (`pipelineFits`).
 */
const NOT_COMPUTE_BOUND =
  /teacache|first-block cache|wavespeed|profile 2 \(offloading\)|offloaded|heavy offload|swapping|unusable|true FP8 matmul/i;

/**
 * Runtimes the model is not fitted for: it models PyTorch (CUDA, ROCm, MPS), MLX and Draw Things
 * running the denoiser on the GPU. DirectML, ONNX Runtime, OpenVINO, Core ML and ZLUDA run other
 * kernels (or other units: Core ML may use the Neural Engine) at speeds of their own.
 */
const OTHER_RUNTIME = /directml|onnx|openvino|core ?ml|zluda/i;

/**
 * A row labelled by hand as a runtime the model does not describe: `not-modelled: <why>` in its
 * note (a preview build, a known regression), so the reason is printed where it is skipped.
 */
const NOT_MODELLED = /not-modelled: ([^;]+)/i;

/**
 * PyTorch 1.x wheels (cu117 and older) bundle cuDNN 8.5 or older, which has no kernels tuned for
 * Ada (RTX 40, L4, RTX 6000 Ada, released from October 2022): an RTX 4090 ran SD 1.5 at ~7.5 it/s
 * on torch 1.13.1+cu117 and ~20 it/s once a newer cuDNN was swapped in or torch 2.0 (cu118) was
 * installed (AUTOMATIC1111/stable-diffusion-webui issues 7168 and 2449). Whether a submitter swapped
 * the DLLs is not recorded, so such a run measures an unknown runtime.
 */
const OLD_CUDNN = /torch:1\./i;

/**
 * A1111's split attention (Doggettx, InvokeAI), what it used where xformers or PyTorch 2's fused
 * SDPA was off or missing in 2023 builds: SD 1.5's 4096-token score matrices are written to and
 * read from memory in slices, a cost the model (FLOPs at a fused kernel's efficiency) does not
 * describe.
 */
const SPLIT_ATTENTION = /attention (doggettx|invokeai)|; (doggettx|invokeai) attention;/i;
const ADA_RELEASED = '2022-10';

/** A wall time (seconds per image or clip) is read as steps x seconds per step from this many steps on. */
const MIN_WALL_STEPS = 8;

export interface MediaRun {
  row: Row;
  point: DiffusionPoint;
  holdout: boolean;
}

export interface SkippedRun {
  row: Row;
  why: string;
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/**
 * The chip's FP16 throughput for the memory size the row names ("MacBook Pro M4 Max 128GB"): a
 * chip's bins differ in GPU cores (the 128 GB M4 Max has 40, the 36 GB one 32), and the catalog
 * records the bin's figure on its variant. Without a size, the chip's first variant.
 */
export function fp16TflopsOf(chip: ChipRecord, device: string): number {
  const gb = /(\d+)\s*GB\b/i.exec(device);
  const variant = gb ? chip.variants.find((v) => v.memoryGB === Number(gb[1])) : undefined;
  return variant?.fp16Tflops ?? chip.fp16Tflops.value;
}

export function loadMediaRuns(catalog: Catalog): { runs: MediaRun[]; skipped: SkippedRun[] } {
  const rows = parse(readFileSync(mediaRunsPath, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
  const runs: MediaRun[] = [];
  const skipped: SkippedRun[] = [];
  for (const row of rows) {
    const skip = (why: string) => skipped.push({ row, why });
    const chip = row.device_id ? catalog.chip(row.device_id) : undefined;
    if (!chip) {
      skip('device not in the catalog');
      continue;
    }
    const model = catalog.media.find((m) => m.id === row.model_id);
    const generation = catalog.generation(row.model_id);
    if (!model || !generation) {
      skip('no denoiser shape for the model');
      continue;
    }
    const labelled = NOT_MODELLED.exec(row.note);
    if (labelled) {
      skip(`runtime not modelled: ${labelled[1]!.trim()}`);
      continue;
    }
    if (OTHER_RUNTIME.test(row.runtime) || OTHER_RUNTIME.test(row.note)) {
      skip('runtime not modelled (DirectML, ONNX, OpenVINO, Core ML, ZLUDA)');
      continue;
    }
    if (chip.backend === 'cuda' && chip.released >= ADA_RELEASED && OLD_CUDNN.test(row.note)) {
      skip('PyTorch 1.x (cuDNN 8.5) on an Ada card: no Ada kernels unless cuDNN was swapped, which is not recorded');
      continue;
    }
    if (SPLIT_ATTENTION.test(row.note)) {
      skip('A1111 split attention (xformers and SDPA off) on a 2023 build: unfused attention through memory');
      continue;
    }
    if (NOT_COMPUTE_BOUND.test(row.note)) {
      skip('not a 16-bit denoiser at full speed (offload, swap, step cache, FP8 math)');
      continue;
    }
    const batch = num(row.batch) ?? 1;
    const width = num(row.width);
    const height = num(row.height);
    const steps = num(row.steps);
    const frames = num(row.frames);
    const value = num(row.value);
    if (batch !== 1) {
      skip('batch of more than one');
      continue;
    }
    if (!width || !height || !value || (model.kind === 'video' && !frames)) {
      skip('resolution or frames not stated');
      continue;
    }
    let secondsPerStep: number;
    if (row.metric === 'its') secondsPerStep = 1 / value;
    else if (steps && steps < MIN_WALL_STEPS) {
      skip(`a wall time of ${steps} steps measures the encoders and the VAE as much as the denoiser`);
      continue;
    } else if (steps) secondsPerStep = value / steps;
    else {
      skip('a wall time without its step count');
      continue;
    }
    const backend = chip.backend;
    const point: DiffusionPoint = {
      label: `${row.device} · ${row.model_id} ${width}x${height}${frames ? `x${frames}` : ''} · ${row.runtime}`,
      device: { backend, fp16Tflops: fp16TflopsOf(chip, row.device) },
      generation,
      paramsB: model.paramsB.value,
      run: { steps: steps ?? 1, width, height, ...(frames ? { frames } : {}), runtime: row.runtime },
      secondsPerStep,
    };
    const holdout = parseInt(fingerprint(`${row.source_url}|${row.device}`), 16) % 3 === 0;
    runs.push({ row, point, holdout });
  }
  const perSource = new Map<string, number>();
  for (const r of runs) if (!r.holdout) perSource.set(r.row.source_url, (perSource.get(r.row.source_url) ?? 0) + 1);
  for (const r of runs) if (!r.holdout) r.point.weight = 1 / Math.sqrt(perSource.get(r.row.source_url)!);
  return { runs, skipped };
}
