/**
 * A pasted benchmark output to measurements: which format it is (llama-bench, `ollama run
 * --verbose`, LM Studio's statistics, `mlx_lm.generate`, or fields typed by hand), the numbers it
 * prints, and the machine, model and quant they were measured on, as catalog ids. What the paste
 * names comes first; the reporter's hints fill what it does not say; what neither gives is listed in
 * `missing`, for the bots to ask back. Pure; linear in the text; never throws.
 */
import type { Catalog, CatalogQuant } from '../catalog/catalog.js';
import { readFields } from './fields.js';
import { readLlamaBench } from './llama-bench.js';
import { readLmStudio } from './lm-studio.js';
import { readMlxLm } from './mlx-lm.js';
import {
  deviceFrom,
  deviceInWords,
  forMlx,
  modelFrom,
  modelFromType,
  modelInWords,
  quantFrom,
  type DeviceName,
  type ModelName,
} from './names.js';
import { readOllama } from './ollama.js';
import type { RawReport, RawRun } from './raw.js';
import {
  MAX_REPORT_CHARS,
  type Measurement,
  type MissingField,
  type ReportHints,
  type ReportReading,
} from './types.js';

const SPEED: MissingField = 'decodeTokensPerSec|prefillTokensPerSec';

/** Reads a pasted benchmark output; `hints` are what the reporter said beside it (--device, --model). */
export function readReport(text: string, catalog: Catalog, hints: ReportHints = {}): ReportReading {
  try {
    return read(typeof text === 'string' ? text : '', catalog, hints);
  } catch (e) {
    // A reader's bug must not take a bot's reply down with it: say so, and ask for fields.
    return {
      measurements: [],
      missing: ['device', 'model', 'quant', SPEED],
      format: 'unknown',
      notes: [`the paste could not be read (${(e as Error).message}): give the fields instead`],
    };
  }
}

/** The first reader that finds its format; llama-bench's tables first (their logs hold other formats' words). */
function readRaw(text: string, lines: string[]): RawReport | null {
  return (
    readLlamaBench(text, lines) ??
    readOllama(text, lines) ??
    readMlxLm(text, lines) ??
    readLmStudio(text, lines) ??
    readFields(text)
  );
}

/** Words around the numbers, without links and images (a URL's hex is no machine, its path no model). */
const wordsOf = (text: string) =>
  text.replace(/!?\[[^\]\n]{0,200}\]\([^)\s]{0,500}\)/g, ' ').replace(/https?:\/\/\S{1,500}/g, ' ');

/** Each argument computed once: a hundred table rows share a handful of names. */
function memo<T>(f: (s: string) => T): (s: string) => T {
  const seen = new Map<string, T>();
  return (s) => {
    if (!seen.has(s)) seen.set(s, f(s));
    return seen.get(s)!;
  };
}

function once<T>(f: () => T): () => T {
  let done: { value: T } | undefined;
  return () => (done ??= { value: f() }).value;
}

function read(text: string, catalog: Catalog, hints: ReportHints): ReportReading {
  const notes = new Set<string>();
  const hint = {
    device: hints.device?.trim() ? deviceFrom(catalog, hints.device.trim()) : null,
    model: hints.model?.trim() ? modelFrom(catalog, hints.model.trim()) : null,
  };
  const native = (id: string | null): CatalogQuant | null => {
    const q = id ? catalog.model(id)?.record.nativeQuant : undefined;
    return q ? (catalog.quant(q) ?? null) : null;
  };
  const nothing = (format: ReportReading['format']): ReportReading => {
    if (hint.device?.note) notes.add(hint.device.note);
    if (hint.model?.note) notes.add(hint.model.note);
    const missing: MissingField[] = [];
    if (!hint.device?.id) missing.push('device');
    if (!hint.model?.id) missing.push('model');
    if (!hint.model?.quant && !native(hint.model?.id ?? null)) missing.push('quant');
    return { measurements: [], missing: [...missing, SPEED], format, notes: [...notes] };
  };

  if (text.length > MAX_REPORT_CHARS) {
    notes.add(
      `the paste is longer than the ${MAX_REPORT_CHARS} characters a report is read up to: paste only the table or the statistics`,
    );
    return nothing('unknown');
  }
  const clean = text.replace(/\r\n?/g, '\n');
  const raw = readRaw(clean, clean.split('\n'));
  if (!raw) {
    notes.add(
      'no benchmark output found: paste llama-bench, `ollama run --verbose`, LM Studio or `mlx_lm.generate` output, or give the fields (machine, model, quant, decode and prefill tok/s)',
    );
    return nothing('unknown');
  }
  for (const n of raw.notes) notes.add(n);

  const words = raw.freeText ? wordsOf(clean) : '';
  const device = memo((s) => deviceFrom(catalog, s));
  const model = memo((s) => modelFrom(catalog, s));
  const modelType = memo((s) => modelFromType(catalog, s));
  const quant = memo((s) => quantFrom(catalog, s));
  const inWords = {
    device: once(() => deviceInWords(catalog, words)),
    model: once(() => modelInWords(catalog, words)),
  };

  /** The paste's device first; the hint where the paste names none, or names the same machine more precisely. */
  const pickDevice = (paste: DeviceName | null): string | null => {
    const given = hint.device;
    if (!given?.id) {
      if (paste?.note) notes.add(paste.note);
      if (given?.note) notes.add(given.note);
      return paste?.id ?? null;
    }
    if (!paste?.id || paste.id === given.id || (paste.chip !== null && paste.chip === given.chip)) {
      if (paste?.chip && given.chip && paste.chip !== given.chip)
        notes.add(
          `the paste names ${catalog.chip(paste.chip)?.name ?? paste.chip}; --device says ${given.id}: kept --device`,
        );
      if (given.note) notes.add(given.note);
      return given.id;
    }
    notes.add(`--device ${given.id} is not the ${paste.id} the paste names: kept the paste's`);
    return paste.id;
  };

  /** The paste's model first; the hint where the paste names none. */
  const pickModel = (paste: ModelName | null): string | null => {
    const given = hint.model;
    if (!given?.id) {
      if (paste?.note) notes.add(paste.note);
      if (given?.note) notes.add(given.note);
      return paste?.id ?? null;
    }
    if (!paste?.id) return given.id;
    if (paste.id !== given.id)
      notes.add(`--model ${given.id} is not the ${paste.id} the paste names: kept the paste's`);
    else if (paste.note) notes.add(paste.note);
    return paste.id;
  };

  const measure = (run: RawRun): Measurement => {
    const deviceText = run.deviceText ?? raw.deviceText;
    const pastedDevice = deviceText ? device(deviceText) : raw.freeText ? inWords.device() : null;
    const pastedModel = run.modelRef
      ? model(run.modelRef)
      : run.modelType
        ? modelType(run.modelType)
        : raw.freeText
          ? inWords.model()
          : null;
    const modelId = pickModel(pastedModel);
    const said = run.quantText ? quant(run.quantText) : null;
    if (said?.note) notes.add(said.note);
    // The hint's quant belongs to the hint's model: it says nothing of another model the paste names.
    const hintQuant = !pastedModel?.id || pastedModel.id === hint.model?.id ? hint.model?.quant : null;
    let q = said?.quant ?? pastedModel?.quant ?? hintQuant ?? null;
    if (!q && native(modelId)) {
      q = native(modelId);
      notes.add(`quant read as ${q!.id}, the only one ${catalog.model(modelId!)!.name} is published in`);
    }
    if (raw.runtime === 'mlx') q = forMlx(catalog, q);
    return {
      device: pickDevice(pastedDevice),
      model: modelId,
      quant: q?.id ?? null,
      runtime: raw.runtime,
      runtimeVersion: raw.runtimeVersion,
      depthTokens: run.depthTokens,
      promptTokens: run.promptTokens,
      decodeTokensPerSec: run.decode,
      prefillTokensPerSec: run.prefill,
    };
  };

  const measurements = raw.runs.map(measure);
  if (measurements.length === 0) return nothing(raw.format);
  const missing: MissingField[] = [];
  if (measurements.some((m) => m.device === null)) missing.push('device');
  if (measurements.some((m) => m.model === null)) missing.push('model');
  if (measurements.some((m) => m.quant === null)) missing.push('quant');
  return { measurements, missing, format: raw.format, notes: [...notes] };
}
