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
      device: { backend, fp16Tflops: chip.fp16Tflops.value },
      generation,
      paramsB: model.paramsB.value,
      run: { steps: steps ?? 1, width, height, ...(frames ? { frames } : {}) },
      secondsPerStep,
    };
    const holdout = parseInt(fingerprint(`${row.source_url}|${row.device}`), 16) % 3 === 0;
    runs.push({ row, point, holdout });
  }
  return { runs, skipped };
}
