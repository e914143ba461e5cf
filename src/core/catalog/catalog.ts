/**
 * The catalog: the validated data files resolved into the specs the estimators use, with lookups
 * and a data version. Pure: the files are read elsewhere (src/catalog/load.ts) and passed in.
 */
import {
  BenchmarksFileSchema,
  CalibrationFileSchema,
  HardwareFileSchema,
  ModelsFileSchema,
  MoreModelsFileSchema,
  QuantsFileSchema,
  WorkflowsFileSchema,
  type BenchmarksFile,
  type CalibrationFile,
  type DeviceRecord,
  type HardwareFile,
  type ModelRecord,
  type ModelsFile,
  type MoreModelsFile,
  type PhantomModel,
  type QuantRecord,
  type QuantsFile,
  type ReportedFigure,
  type SourceEntry,
  type WorkflowRecord,
  type WorkflowsFile,
  type Backend,
} from './schema.js';
import { appleGenerationOf, type DeviceSpec, type ModelSpec, type QuantSpec } from './specs.js';
import { MachinesFileSchema, type ChipRecord } from './machine-schema.js';
import { MediaModelsFileSchema, type MediaModel, type ModelFamily } from './media-schema.js';
import { QualityFileSchema, type QualityFile } from './quality-schema.js';
import {
  DiffusionCalibrationSchema,
  GenerationFileSchema,
  type DiffusionCalibration,
  type Generation,
} from './generation-schema.js';
import { UNFITTED_DIFFUSION, type DiffusionFit } from '../physics/diffusion.js';
import {
  PowerCalibrationSchema,
  PowerReadingsFileSchema,
  powerFitOf,
  type PowerCalibration,
} from '../physics/power-fit.js';
import type { PowerFit, PowerReading } from '../physics/power.js';
import { ServingCalibrationSchema, servingFitOf, type ServingCalibration } from '../physics/serving-fit.js';
import { UNFITTED_SERVING, type ServingFit } from '../physics/serving.js';
import { FineTuneCalibrationSchema, fineTuneFitOf, type FineTuneCalibration } from '../physics/finetune-fit.js';
import { UNFITTED_FINETUNE, type FineTuneFit } from '../physics/finetune.js';
import { composeMachine, FORM_NAMES, splitMachineId, type AppleRules, type MachineParts } from './machines.js';

export interface RawCatalogFiles {
  hardware: unknown;
  models: unknown;
  quants: unknown;
  benchmarks: unknown;
  workflows: unknown;
  calibration: unknown;
  /** data/machines/*.json: the chip table machines are composed from. */
  machines?: unknown[];
  /** data/media-models.json: image and video models, and model families. */
  media?: unknown;
  /** data/models/*.json: more LLMs, each file with its own sources, merged into models.json's list. */
  moreModels?: unknown[];
  /** data/quality.json: leaderboard scores and what quants cost, for the planner. */
  quality?: unknown;
  /** data/media-generation.json: how each image and video model generates (denoiser shape, default run). */
  generation?: unknown;
  /** data/diffusion-calibration.json: the diffusion speed model's fit. */
  diffusion?: unknown;
  /** data/power-calibration.json: the power-by-activity model's fit. */
  power?: unknown;
  /** data/power-readings.json: published power readings by machine id. */
  powerReadings?: unknown;
  /** data/serving-calibration.json: the serving (batched decode) model's fit. */
  serving?: unknown;
  /** data/finetune-calibration.json: the fine-tuning speed model's fit. */
  finetune?: unknown;
}

export interface CatalogDevice extends DeviceSpec {
  record: DeviceRecord;
}
export interface CatalogModel extends ModelSpec {
  record: ModelRecord;
}
export interface CatalogQuant extends QuantSpec {
  record: QuantRecord;
}

/** The data files a source key belongs to. */
export type CatalogFileName = keyof Catalog['files'];

/** Who published a source: its title before the first colon ("Compute Market"). */
export const publisherOf = (title: string): string => title.split(':')[0]!;

export interface Catalog {
  dataVersion: string;
  devices: CatalogDevice[];
  models: CatalogModel[];
  quants: CatalogQuant[];
  workflows: WorkflowRecord[];
  files: {
    hardware: HardwareFile;
    models: ModelsFile;
    quants: QuantsFile;
    benchmarks: BenchmarksFile;
    workflows: WorkflowsFile;
  };
  calibration: CalibrationFile;
  device(id: string): CatalogDevice | undefined;
  model(id: string): CatalogModel | undefined;
  quant(id: string): CatalogQuant | undefined;
  workflow(id: string): WorkflowRecord | undefined;
  /** A source key of one file, resolved for display ("estimate" stays "estimate"). */
  source(file: CatalogFileName, key: string): SourceEntry | 'estimate' | undefined;
  /** Every reported figure, in the benchmarks file's order. */
  reported(): readonly ReportedFigure[];
  /** The reported figures for one device, in file order. */
  reportedFor(deviceId: string): readonly ReportedFigure[];
  /** Model names people ask for that do not exist, with the nearest real ones. */
  phantoms(): readonly PhantomModel[];
  /** The speed bands (tok/s) that class a speed as frustrating, usable, real-time. */
  speedBands(): WorkflowsFile['speedBands'];
  imageWorkloads(): WorkflowsFile['image'];
  videoWorkloads(): WorkflowsFile['video'];
  /** Every chip machines are composed from (data/machines). */
  chips: readonly ChipRecord[];
  chip(id: string): ChipRecord | undefined;
  /** A machine from its parts (curated when one has the same id, else composed); cached. */
  machine(parts: MachineParts): CatalogDevice;
  /** Image and video generation models, and the model families people name. */
  media: readonly MediaModel[];
  families: readonly ModelFamily[];
  /** Leaderboard scores and what quants cost (data/quality.json), for the planner; null without it. */
  quality: QualityFile | null;
  /** How an image or video model generates, for the diffusion speed model; undefined when not sourced. */
  generation(modelId: string): Generation | undefined;
  /** The diffusion speed model's fit (UNFITTED_DIFFUSION without data/diffusion-calibration.json). */
  diffusion: DiffusionFit;
  /** The fit's provenance: when, on how many runs, its median errors; null when unfitted. */
  diffusionCalibration: DiffusionCalibration | null;
  /** The power-by-activity model's fit (UNFITTED_POWER without data/power-calibration.json). */
  power: PowerFit;
  powerCalibration: PowerCalibration | null;
  /** A machine's own published power readings (data/power-readings.json), none when unmeasured. */
  powerReadings(deviceId: string): readonly PowerReading[];
  /** The serving model's fit (UNFITTED_SERVING without data/serving-calibration.json). */
  serving: ServingFit;
  servingCalibration: ServingCalibration | null;
  /** The fine-tuning speed model's fit (UNFITTED_FINETUNE without data/finetune-calibration.json). */
  fineTune: FineTuneFit;
  fineTuneCalibration: FineTuneCalibration | null;
}

export const DEFAULT_DEVICE_IDS = ['rtx-5090', 'mac-studio-m4-max-128gb'] as const;

/** A value built once per catalog (name indexes, tries), kept as long as the catalog lives. */
export function perCatalog<T>(build: (catalog: Catalog) => T): (catalog: Catalog) => T {
  const cache = new WeakMap<Catalog, T>();
  return (catalog) => {
    let v = cache.get(catalog);
    if (v === undefined) cache.set(catalog, (v = build(catalog)));
    return v;
  };
}

/** FNV-1a, 32 bit: a stable fingerprint of the data without importing node:crypto into the core. */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function deviceSpecOf(r: DeviceRecord): DeviceSpec {
  const g = r.gpuMemory;
  return {
    id: r.id,
    name: r.name,
    shortName: r.shortName,
    backend: r.backend,
    gpus: r.gpus,
    unified: r.unified,
    memoryGB: r.memoryGB.value,
    bandwidthGBs: r.bandwidthGBs.value,
    fp16Tflops: r.fp16Tflops.value,
    gpuBudget:
      g.rule === 'dedicated'
        ? { rule: 'dedicated' }
        : g.rule === 'fixed'
          ? { rule: 'fixed', usableGB: g.usableGB.value }
          : { rule: 'apple-wired', defaultFraction: g.defaultFraction.value, raisedReserveGB: g.raisedReserveGB.value },
    ...(r.host ? { hostMemoryGB: r.host.memoryGB.value, hostBandwidthGBs: r.host.bandwidthGBs.value } : {}),
    ...generationOf(r.backend, r.id),
  };
}

/** A Metal device's Apple generation, as a spread. */
export const generationOf = (backend: Backend, text: string): { generation?: string } => {
  const generation = backend === 'metal' ? appleGenerationOf(text) : undefined;
  return generation ? { generation } : {};
};

export function modelSpecOf(r: ModelRecord): ModelSpec {
  return {
    id: r.id,
    name: r.name,
    paramsB: r.paramsB,
    activeParamsB: r.activeParamsB,
    embeddingParamsB: r.embeddingParamsB,
    tiedEmbeddings: r.tiedEmbeddings,
    layers: r.layers,
    kvHeads: r.kvHeads,
    headDim: r.headDim,
    maxContext: r.maxContext,
    attention: r.attention,
    ...(r.moe ? { moe: r.moe } : {}),
    ...(r.nativeQuant ? { nativeQuant: r.nativeQuant } : {}),
    ...(r.mmprojGB ? { mmprojGB: r.mmprojGB.value } : {}),
    fileGB: Object.fromEntries(Object.entries(r.fileGB).map(([q, f]) => [q, f.value])),
    architectureEstimated: false,
  };
}

export function quantSpecOf(r: QuantRecord): QuantSpec {
  return { id: r.id, name: r.name, family: r.family, bitsPerWeight: r.bitsPerWeight.value, backends: r.backends };
}

export class CatalogError extends Error {
  constructor(public readonly problems: string[]) {
    super(`data/ is inconsistent:\n- ${problems.join('\n- ')}`);
    this.name = 'CatalogError';
  }
}

/** Parses every file with its schema, checks cross-references, and builds the lookups. */
type Files = Catalog['files'];
interface Maps {
  deviceMap: Map<string, CatalogDevice>;
  modelMap: Map<string, CatalogModel>;
  quantMap: Map<string, CatalogQuant>;
}

/** Ids that must be unique, references between files that must resolve; one line per problem. */
function crossCheck({ hardware, models, quants, benchmarks, workflows }: Files, maps: Maps): string[] {
  const { deviceMap, modelMap, quantMap } = maps;
  const problems: string[] = [];
  const dup = (name: string, xs: { id: string }[]) => {
    const seen = new Set<string>();
    for (const x of xs) {
      if (seen.has(x.id)) problems.push(`duplicate ${name} id ${x.id}`);
      seen.add(x.id);
    }
  };
  dup('device', hardware.devices);
  dup('model', models.models);
  dup('quant', quants.quants);
  for (const id of DEFAULT_DEVICE_IDS) if (!deviceMap.has(id)) problems.push(`default device ${id} missing`);
  for (const m of models.models) {
    for (const q of Object.keys(m.fileGB))
      if (!quantMap.has(q)) problems.push(`model ${m.id}: fileGB key ${q} is not a quant id`);
    if (m.activeParamsB > m.paramsB) problems.push(`model ${m.id}: active parameters exceed total`);
  }
  for (const p of models.phantoms)
    for (const id of p.nearest)
      if (!modelMap.has(id)) problems.push(`phantom ${p.name}: nearest ${id} is not a model id`);
  for (const r of benchmarks.reported) {
    if (!deviceMap.has(r.device)) problems.push(`reported ${r.id}: unknown device ${r.device}`);
    if (r.quant !== undefined && !quantMap.has(r.quant)) problems.push(`reported ${r.id}: unknown quant ${r.quant}`);
  }
  for (const img of workflows.image)
    for (const d of Object.keys(img.itsPerDevice))
      if (!deviceMap.has(d)) problems.push(`image ${img.id}: unknown device ${d}`);
  for (const [name, f] of Object.entries({ hardware, models, quants, benchmarks, workflows }))
    problems.push(...sourceProblems(name, f.sources, f));
  return problems;
}

/** Every `source` key anywhere in a file must name one of the file's own sources (or be "estimate"). */
function sourceProblems(file: string, sources: Record<string, unknown>, data: unknown): string[] {
  const problems: string[] = [];
  const walk = (o: unknown, path: string) => {
    if (Array.isArray(o)) o.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (k === 'sources') continue;
        if (k === 'source' && typeof v === 'string' && v !== 'estimate' && !(v in sources))
          problems.push(`${file}${path}: source "${v}" is not in the file's sources`);
        else walk(v, `${path}.${k}`);
      }
    }
  };
  walk(data, '');
  return problems;
}

/**
 * models.json with the files of data/models/ added: their models appended, their sources merged.
 * A source key two files define differently would make a citation ambiguous: it is refused.
 */
function mergeModels(base: ModelsFile, more: MoreModelsFile[]): ModelsFile {
  const sources = { ...base.sources };
  const clashes: string[] = [];
  for (const f of more)
    for (const [k, v] of Object.entries(f.sources)) {
      if (k in sources && JSON.stringify(sources[k]) !== JSON.stringify(v))
        clashes.push(`model source ${k} defined twice`);
      sources[k] = v;
    }
  if (clashes.length) throw new CatalogError(clashes);
  return {
    sources,
    models: [...base.models, ...more.flatMap((f) => f.models)],
    phantoms: [...base.phantoms, ...more.flatMap((f) => f.phantoms)],
  };
}

export function buildCatalog(raw: RawCatalogFiles): Catalog {
  const hardware = HardwareFileSchema.parse(raw.hardware);
  const models = mergeModels(
    ModelsFileSchema.parse(raw.models),
    (raw.moreModels ?? []).map((m) => MoreModelsFileSchema.parse(m)),
  );
  const quants = QuantsFileSchema.parse(raw.quants);
  const benchmarks = BenchmarksFileSchema.parse(raw.benchmarks);
  const workflows = WorkflowsFileSchema.parse(raw.workflows);
  const calibration = CalibrationFileSchema.parse(raw.calibration);
  const files = { hardware, models, quants, benchmarks, workflows };

  const devices = hardware.devices.map((r) => ({ ...deviceSpecOf(r), record: r }));
  const modelList = models.models.map((r) => ({ ...modelSpecOf(r), record: r }));
  const quantList = quants.quants.map((r) => ({ ...quantSpecOf(r), record: r }));
  const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
  const deviceMap = byId(devices);
  const modelMap = byId(modelList);
  const quantMap = byId(quantList);
  const workflowMap = byId(workflows.workflows);

  const machineFiles = (raw.machines ?? []).map((m) => MachinesFileSchema.parse(m));
  const chips = machineFiles.flatMap((f) => f.chips);
  const media = raw.media === undefined ? undefined : MediaModelsFileSchema.parse(raw.media);
  const quality = raw.quality === undefined ? null : QualityFileSchema.parse(raw.quality);
  const generation = raw.generation === undefined ? undefined : GenerationFileSchema.parse(raw.generation);
  const generationMap = new Map((generation?.models ?? []).map((g) => [g.model, g]));
  const diffusionCalibration = raw.diffusion === undefined ? null : DiffusionCalibrationSchema.parse(raw.diffusion);
  const powerCalibration = raw.power === undefined ? null : PowerCalibrationSchema.parse(raw.power);
  const powerReadings = raw.powerReadings === undefined ? null : PowerReadingsFileSchema.parse(raw.powerReadings);
  const readingsByMachine = new Map<string, PowerReading[]>(
    Object.entries(powerReadings?.machines ?? {}).map(([id, rs]) => [id, rs as PowerReading[]]),
  );
  const servingCalibration = raw.serving === undefined ? null : ServingCalibrationSchema.parse(raw.serving);
  const fineTuneCalibration = raw.finetune === undefined ? null : FineTuneCalibrationSchema.parse(raw.finetune);
  // Composed machines cite the chip table's sources beside hardware.json's own.
  const machineSources = Object.assign({}, ...machineFiles.map((f) => f.sources)) as HardwareFile['sources'];
  files.hardware = { ...hardware, sources: { ...machineSources, ...hardware.sources } };

  const problems = [
    ...crossCheck(files, { deviceMap, modelMap, quantMap }),
    ...machineProblems(machineFiles, hardware.sources),
  ];
  if (problems.length) throw new CatalogError(problems);
  const chipMap = byId(chips);
  const machine = machineComposer(deviceMap, appleRulesOf(deviceMap));

  const reportedByDevice = new Map<string, ReportedFigure[]>();
  for (const r of benchmarks.reported) reportedByDevice.set(r.device, [...(reportedByDevice.get(r.device) ?? []), r]);
  // Every file counts: a pin computed before a chip's or a media model's figures changed is stale too.
  const fits = [diffusionCalibration, powerCalibration, powerReadings, servingCalibration, fineTuneCalibration];
  const dataVersion = `${calibration.fittedAt}.${fingerprint(JSON.stringify([files, calibration, machineFiles, media ?? null, generation ?? null, ...fits]))}`;
  return {
    dataVersion,
    devices,
    models: modelList,
    quants: quantList,
    workflows: workflows.workflows,
    files,
    calibration,
    device: (id) => deviceMap.get(id) ?? composedDevice(id, chipMap, machine),
    model: (id) => modelMap.get(id),
    quant: (id) => quantMap.get(id),
    workflow: (id) => workflowMap.get(id as WorkflowRecord['id']),
    source: (file, key) => (key === 'estimate' ? 'estimate' : files[file].sources[key]),
    reported: () => benchmarks.reported,
    reportedFor: (deviceId) => reportedByDevice.get(deviceId) ?? [],
    phantoms: () => models.phantoms,
    speedBands: () => workflows.speedBands,
    imageWorkloads: () => workflows.image,
    videoWorkloads: () => workflows.video,
    chips,
    chip: (id) => chipMap.get(id),
    machine,
    media: media?.models ?? [],
    families: media?.families ?? [],
    quality,
    generation: (id) => generationMap.get(id),
    diffusion: diffusionCalibration
      ? {
          efficiency: diffusionCalibration.efficiency,
          overheadSec: diffusionCalibration.overheadSec,
          runtimeOverheadSec: diffusionCalibration.runtimeOverheadSec,
          unetTokenShare: diffusionCalibration.unetTokenShare,
          band: diffusionCalibration.band,
        }
      : UNFITTED_DIFFUSION,
    diffusionCalibration,
    power: powerFitOf(powerCalibration),
    powerCalibration,
    powerReadings: (id) => readingsByMachine.get(id) ?? [],
    serving: servingCalibration ? servingFitOf(servingCalibration) : UNFITTED_SERVING,
    servingCalibration,
    fineTune: fineTuneCalibration ? fineTuneFitOf(fineTuneCalibration) : UNFITTED_FINETUNE,
    fineTuneCalibration,
  };
}

/** Curated machines whose id does not spell their chip. */
const CURATED_CHIPS: Record<string, string> = { 'dgx-spark': 'gb10' };

/** The chip a machine id is composed from ("mac-studio-m2-ultra-192gb" -> m2-ultra, "2x-rtx-5090" -> rtx-5090). */
export function chipOfMachine(catalog: Pick<Catalog, 'chip'>, deviceId: string): ChipRecord | undefined {
  const { base } = splitMachineId(deviceId);
  if (CURATED_CHIPS[base]) return catalog.chip(CURATED_CHIPS[base]);
  let rest = base;
  for (const form of Object.keys(FORM_NAMES)) if (rest.startsWith(`${form}-`)) rest = rest.slice(form.length + 1);
  return catalog.chip(rest) ?? catalog.chip(rest.replace(/-\d{1,4}gb$/, ''));
}

/** Chip ids unique across the machine files; sources resolvable; no chip id shadowing a curated id's grammar. */
function machineProblems(files: { sources: Record<string, unknown>; chips: ChipRecord[] }[], hardwareSources: object) {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    for (const c of f.chips) {
      if (seen.has(c.id)) problems.push(`duplicate chip id ${c.id}`);
      seen.add(c.id);
    }
    problems.push(...sourceProblems('machines', { ...hardwareSources, ...f.sources }, f));
  }
  return problems;
}

/** Apple's wired-limit rules, from the curated Macs (64 GB and up; below). */
function appleRulesOf(devices: Map<string, CatalogDevice>): AppleRules {
  const large = devices.get('mac-studio-m4-max-128gb')!.record.gpuMemory;
  const small = devices.get('mac-studio-m4-max-36gb')?.record.gpuMemory ?? large;
  return { large, small };
}

function machineComposer(curated: Map<string, CatalogDevice>, rules: AppleRules) {
  const cache = new Map<string, CatalogDevice>();
  return (parts: MachineParts): CatalogDevice => {
    const record = composeMachine(parts, rules);
    const own = curated.get(CURATED_NAMES[record.id] ?? record.id);
    if (own) return own;
    let d = cache.get(record.id);
    if (!d) {
      d = { ...deviceSpecOf(record), record };
      // Bounded: ids come from user text, and every count x memory x RAM is a distinct machine.
      if (cache.size > 5000) cache.clear();
      cache.set(record.id, d);
    }
    return d;
  };
}

const APPLE_FORMS = Object.keys(FORM_NAMES);
/** Composed ids whose curated machine goes by another name. */
const CURATED_NAMES: Record<string, string> = { gb10: 'dgx-spark' };

/** A composed id ("2x-rtx-3090-ram-64gb", "macbook-pro-m2-max-96gb") to its machine, if the chip exists. */
function composedDevice(
  id: string,
  chips: Map<string, ChipRecord>,
  machine: (p: MachineParts) => CatalogDevice,
): CatalogDevice | undefined {
  if (id.length > 80) return undefined;
  const { gpus, hostRamGB, base } = splitMachineId(id);
  if (gpus < 1 || gpus > 16 || (hostRamGB !== null && (hostRamGB < 1 || hostRamGB > 4096))) return undefined;
  let rest = base;
  let form: MachineParts['form'] = null;
  for (const f of APPLE_FORMS)
    if (rest.startsWith(`${f}-`)) {
      form = f as MachineParts['form'];
      rest = rest.slice(f.length + 1);
      break;
    }
  const sized = /^(.+)-(\d{1,4}(?:\.\d+)?)gb$/.exec(rest);
  const chip = chips.get(sized ? sized[1]! : rest);
  if (!chip) return undefined;
  if (form && chip.vendor !== 'apple') return undefined;
  const memoryGB = sized ? Number(sized[2]) : chip.variants[0]!.memoryGB;
  if (!(memoryGB > 0 && memoryGB <= 4096)) return undefined;
  const variant = variantFor(chip, memoryGB);
  const d = machine({
    chip,
    variant,
    gpus,
    hostRamGB,
    form: form ?? (chip.vendor === 'apple' ? (chip.forms?.[0] ?? null) : null),
  });
  // Only the canonical spelling of an id names a machine (no "rtx-3090-24gb" beside "rtx-3090").
  return d.id === id ? d : undefined;
}

/** The variant with that memory; else the nearest one's figures with the memory as stated (a modded 48 GB 4090). */
export function variantFor(chip: ChipRecord, memoryGB: number) {
  const exact = chip.variants.find((v) => v.memoryGB === memoryGB);
  if (exact) return exact;
  const nearest = [...chip.variants].sort(
    (a, b) => Math.abs(Math.log(a.memoryGB / memoryGB)) - Math.abs(Math.log(b.memoryGB / memoryGB)),
  )[0]!;
  return { ...nearest, memoryGB, note: `${memoryGB} GB as stated; other figures of the ${nearest.memoryGB} GB model` };
}
