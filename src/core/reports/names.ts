/**
 * Names in a paste to catalog ids, with the core's own readers: machines as `ask` reads them
 * (readMachines), models and quants as every command resolves them (resolveModel, resolveQuant).
 * A name is taken only when it points at one catalog entry; anything less is left null and said in
 * a note, because a report stored against the wrong machine or model would mislead every answer
 * that cites it.
 */
import { chipOfMachine, type Catalog, type CatalogQuant } from '../catalog/catalog.js';
import { isDiscrete } from '../catalog/machines.js';
import { deviceOfMention, readMachines, type MachineMention } from '../ask/machines-text.js';
import { readModel } from '../ask/models-text.js';
import { safeEcho } from '../query/echo.js';
import { resolveModel, resolveQuant, type ModelMatch } from '../query/resolve.js';
import { splitModelType } from './llama-bench.js';

export interface DeviceName {
  id: string | null;
  /** The chip it is built on, to tell a more precise name of the same machine from another machine. */
  chip: string | null;
  note?: string;
}

export interface ModelName {
  id: string | null;
  quant: CatalogQuant | null;
  note?: string;
}

const echo = (text: string) => safeEcho(text, 60) || 'that name';

/** No reference or device name is longer; longer text is cut before reading (keeps reading linear). */
const MAX_NAME = 200;
/** Free words are read up to this many characters, as `ask` reads a question. */
const MAX_WORDS = 1900;

/**
 * A machine from a catalog id or a name ("NVIDIA GeForce RTX 4090", "2x RTX 3090", "M3 Ultra
 * 512GB"). A Mac or unified-memory box named without its memory is left null: the memory is part of
 * the machine. A card named without its memory is read at its usual size, and that is said.
 */
export function deviceFrom(catalog: Catalog, text: string): DeviceName {
  const exact = catalog.device(text.trim().toLowerCase());
  if (exact) return { id: exact.id, chip: chipOfMachine(catalog, exact.id)?.id ?? null };
  const mentions = readMachines(catalog, text.slice(0, MAX_NAME)).filter((m) => !m.generic);
  if (mentions.length === 1) return fromMention(catalog, mentions[0]!, text);
  return {
    id: null,
    chip: null,
    note: mentions.length
      ? `"${echo(text)}" names ${mentions.length} machines: say which ran with --device`
      : `"${echo(text)}" is not a machine the catalog knows: give --device with a catalog id (whichgpu devices)`,
  };
}

function fromMention(catalog: Catalog, m: MachineMention, said: string): DeviceName {
  if (m.memoryGB === null && m.chip.variants.length > 1 && !isDiscrete(m.chip))
    return {
      id: null,
      chip: m.chip.id,
      note: `${m.chip.name} came with ${m.chip.variants.map((v) => v.memoryGB).join('/')} GB: say which with --device (e.g. ${deviceOfMention(catalog, m).id})`,
    };
  const device = deviceOfMention(catalog, m);
  const usual =
    m.memoryGB === null && m.chip.variants.length > 1
      ? `read "${echo(said)}" as ${device.id}, its usual memory; give --device if it had another`
      : undefined;
  return { id: device.id, chip: m.chip.id, ...(usual ? { note: usual } : {}) };
}

/** A match that names one catalog model; estimates, phantoms and ties are not a model to store. */
function accepted(text: string, match: ModelMatch): ModelName {
  const quant = match.quant ?? null;
  if (match.estimated || match.phantom)
    return { id: null, quant, note: `"${echo(text)}" is not a model the catalog knows: give --model with one it does` };
  if (match.alternatives?.length) {
    const names = [match.model, ...match.alternatives].slice(0, 4).map((m) => m.name);
    return { id: null, quant, note: `"${echo(text)}" could be ${names.join(', ')}: say which with --model` };
  }
  return { id: match.model.id, quant };
}

/** A model from a file name, tag, repository or name ("Llama-3.3-70B-Instruct-Q4_K_M.gguf", "gpt-oss:20b"). */
export function modelFrom(catalog: Catalog, text: string): ModelName {
  const r = resolveModel(catalog, text.slice(0, MAX_NAME));
  if (!r.ok)
    return {
      id: null,
      quant: null,
      note: `"${echo(text)}" is not a model the catalog knows: give --model with one it does`,
    };
  return accepted(text, r.value);
}

/**
 * Architectures llama.cpp names many model families by: "llama 8B" is Llama 3.1, Llama 3 or a
 * Llama-shaped distill or TinyLlama; "qwen2 7B" is Qwen2, Qwen2.5 or a distill. Their type alone
 * names no model.
 */
const SHARED_ARCHITECTURES = new Set([
  'llama',
  'qwen2',
  'qwen2moe',
  'phi3',
  'deepseek',
  'deepseek2',
  'gemma',
  'starcoder',
]);
/** Architecture names that are not how the catalog spells the family. */
const FAMILY_OF: Record<string, string> = {
  qwen3moe: 'qwen3',
  qwen3next: 'qwen3-next',
  gemma2: 'gemma-2',
  gemma3: 'gemma-3',
  gemma3n: 'gemma-3n',
};

/**
 * A model from llama-bench's model type ("gpt-oss 120B MXFP4 MoE", "qwen3moe 30B.A3B Q8_0"): the
 * architecture and size, so fine-tunes of one base read the same. Taken only where the architecture
 * belongs to one family and the size to one of its models.
 */
export function modelFromType(catalog: Catalog, type: string): ModelName {
  const { name } = splitModelType(type);
  const [arch = '', size = ''] = name.split(' ');
  if (SHARED_ARCHITECTURES.has(arch.toLowerCase()))
    return {
      id: null,
      quant: null,
      note: `llama-bench names the architecture ("${echo(name)}"), which several models share: say which with --model`,
    };
  const sized = /^(\d{1,4}(?:\.\d{1,2})?)([BM])(?:\.A(\d{1,3}(?:\.\d{1,2})?)B)?$/i.exec(size);
  const spoken = `${FAMILY_OF[arch.toLowerCase()] ?? arch} ${sized ? `${sized[1]}${sized[2]}${sized[3] ? `-A${sized[3]}B` : ''}` : ''}`;
  const read = modelFrom(catalog, spoken.trim());
  return read.id
    ? { ...read, note: `model read from llama-bench's "${echo(name)}": its fine-tunes read the same` }
    : { ...read, note: `llama-bench's "${echo(name)}" is not a model the catalog knows: give --model` };
}

/** A model named anywhere in free words ("I can use Gemma3-27b-QAT with ..."), as `ask` reads one. */
export function modelInWords(catalog: Catalog, text: string): ModelName | null {
  const found = readModel(catalog, text.slice(0, MAX_WORDS));
  if (!found) return null;
  if (!found.match) return { id: null, quant: null, note: `"${echo(found.typed)}" is not a model the catalog knows` };
  return accepted(found.typed, found.match);
}

/** A machine named anywhere in free words, when exactly one is. */
export function deviceInWords(catalog: Catalog, text: string): DeviceName | null {
  const mentions = readMachines(catalog, text.slice(0, MAX_WORDS)).filter((m) => !m.generic);
  if (mentions.length === 0) return null;
  if (mentions.length > 1)
    return { id: null, chip: null, note: 'the words name several machines: say which ran with --device' };
  const m = mentions[0]!;
  return fromMention(catalog, m, text.slice(m.startChar, m.endChar));
}

/** A quant as a paste spells it ("Q4_K_M", "IQ4_NL", "q8_0"); "Q2_K_M" (llama.cpp's "Q2_K - Medium") is Q2_K. */
export function quantFrom(catalog: Catalog, text: string): { quant: CatalogQuant | null; note?: string } {
  const q = resolveQuant(catalog, text);
  if (q.ok) return { quant: q.value };
  const base = /^(.*)_[SML]$/i.exec(text)?.[1];
  const again = base ? resolveQuant(catalog, base) : undefined;
  if (again?.ok) return { quant: again.value };
  return { quant: null, note: `${echo(text)} is not a quant the catalog models` };
}

/** MLX runs MLX quants: a "4bit" read as a GGUF quant is MLX's 4-bit (as resolveModel reads mlx-community names). */
export function forMlx(catalog: Catalog, quant: CatalogQuant | null): CatalogQuant | null {
  if (!quant || quant.family === 'mlx' || quant.bitsPerWeight >= 9) return quant;
  const id = quant.bitsPerWeight < 5.5 ? 'MLX-4bit' : quant.bitsPerWeight < 7.5 ? 'MLX-6bit' : 'MLX-8bit';
  return catalog.quant(id) ?? quant;
}
