/**
 * GGUF files of a repo grouped by quant: the parts of a split file ("-00001-of-00003.gguf") summed,
 * the vision projector (mmproj) kept apart, and the quant to read a header from chosen.
 */
import { parseGGUFQuantLabel } from '@huggingface/gguf';
import type { LearnedFile } from '../core/catalog/learned-types.js';

export interface QuantFiles {
  /** The quant label of the file names ("Q4_K_M", "UD-Q4_K_XL"), or the file stem when none is found. */
  quant: string;
  /** The parts in order; the first holds the header. */
  paths: string[];
  bytes: number;
}

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;
const isGguf = (path: string) => /\.gguf$/i.test(path);
export const isProjector = (path: string) => /mmproj|projector/i.test(path.split('/').pop() ?? path);

/** Weights quants only (projectors left out), each with its parts summed, smallest first. */
export function quantGroups(files: readonly LearnedFile[]): QuantFiles[] {
  const groups = new Map<string, QuantFiles>();
  for (const f of files) {
    if (!isGguf(f.path) || isProjector(f.path)) continue;
    const key = f.path.replace(SHARD, '.gguf');
    const quant =
      parseGGUFQuantLabel(f.path) ??
      key
        .split('/')
        .pop()!
        .replace(/\.gguf$/i, '');
    const g = groups.get(key) ?? { quant, paths: [], bytes: 0 };
    g.paths.push(f.path);
    g.bytes += f.bytes;
    groups.set(key, g);
  }
  for (const g of groups.values()) g.paths.sort();
  return [...groups.values()].sort((a, b) => a.bytes - b.bytes);
}

/** What people run when they name no quant: the usual 4-bit first, then the nearest sizes. */
const PREFERRED = ['Q4_K_M', 'UD-Q4_K_XL', 'Q4_K_S', 'IQ4_XS', 'Q4_0', 'MXFP4', 'Q5_K_M', 'Q6_K', 'Q8_0', 'Q3_K_M'];

/** The group named by a file path or a quant, else the preferred one, else the smallest. */
export function chooseQuant(
  groups: readonly QuantFiles[],
  wanted: { quant?: string | undefined; file?: string | undefined },
): QuantFiles | undefined {
  if (wanted.file) return groups.find((g) => g.paths.includes(wanted.file!));
  if (wanted.quant) {
    const q = wanted.quant.toUpperCase();
    return groups.find((g) => g.quant.toUpperCase() === q);
  }
  for (const q of PREFERRED) {
    const g = groups.find((x) => x.quant.toUpperCase() === q);
    if (g) return g;
  }
  return groups[0];
}
