/**
 * The chip table behind "any machine people own" (data/machines/*.json): every GPU, Apple chip,
 * unified-memory box and CPU host people name, with sourced specs per memory size. A machine is
 * composed from a chip, a memory size, a count and host RAM (machines.ts); only the default pair
 * and a few others are curated whole machines in hardware.json.
 */
import { z } from 'zod';
import { BackendSchema, FigureSchema, RangeSchema, SourceEntrySchema } from './schema.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'date must be YYYY-MM or YYYY-MM-DD');
const sourceRef = z.string().min(1);

export const ChipKindSchema = z.enum([
  /** A graphics card in a desktop (or a server card people put in one). */
  'desktop-gpu',
  /** A laptop GPU: lower clocks and power than the desktop card of the same name. */
  'laptop-gpu',
  /** Workstation cards (Quadro, RTX A/Ada/PRO, Radeon PRO, Arc Pro). */
  'workstation-gpu',
  /** Data-center accelerators (Tesla, A100, H100, Instinct). */
  'datacenter-gpu',
  /** Apple silicon: unified memory, macOS's GPU wired limit. */
  'apple-soc',
  /** Other unified-memory systems: DGX Spark / GB10, Ryzen AI Max (Strix Halo), Jetson. */
  'unified-soc',
  /** An integrated GPU sharing ordinary system RAM (Iris Xe, Radeon 780M). */
  'integrated-gpu',
  /** No usable GPU: the model runs from system RAM. */
  'cpu',
]);
export type ChipKind = z.infer<typeof ChipKindSchema>;

export const AppleFormSchema = z.enum(['macbook-air', 'macbook-pro', 'mac-mini', 'mac-studio', 'imac', 'mac-pro']);
export type AppleForm = z.infer<typeof AppleFormSchema>;

/** One memory size a chip shipped with; bandwidth or compute only where they differ from the chip's. */
export const ChipVariantSchema = z.object({
  /** Per GPU (VRAM), or the whole unified memory. */
  memoryGB: z.number().positive(),
  bandwidthGBs: z.number().positive().optional(),
  fp16Tflops: z.number().positive().optional(),
  /** Where this variant's figures come from, when not from the chip's sources. */
  source: sourceRef.optional(),
  note: z.string().optional(),
});
export type ChipVariant = z.infer<typeof ChipVariantSchema>;

export const ChipRecordSchema = z.object({
  /** Lowercase, hyphenated, without memory: "rtx-3060", "rtx-4060-ti", "m2-max", "mi50", "arc-a770". */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  /** Full name: "NVIDIA GeForce RTX 3060", "Apple M2 Max", "AMD Instinct MI50". */
  name: z.string().min(1),
  /** At most 10 characters, without memory: "RTX 3060", "M2 Max", "MI50". */
  shortName: z.string().min(1).max(10),
  /**
   * Other ways people write the chip, without memory: "3060", "rtx3060", "geforce 3060". The parser
   * also tries the name and shortName with and without spaces, so list only genuinely different
   * spellings. Never a bare word that is also a model name or a common English word.
   */
  aliases: z.array(z.string()).default([]),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'cpu']),
  kind: ChipKindSchema,
  backend: BackendSchema,
  released: isoDate,
  /** Memory sizes it shipped with; the first is the one assumed when a person names none. */
  variants: z.array(ChipVariantSchema).min(1),
  /** Per GPU, GB/s, for the first variant unless a variant overrides it. */
  bandwidthGBs: FigureSchema,
  /** Dense FP16 tensor (or shader, where there are no tensor cores) TFLOPS, FP16 accumulate. */
  fp16Tflops: FigureSchema,
  /** Board power (TGP/TDP) of a card, or package power of an SoC under GPU load, watts. */
  powerW: FigureSchema,
  /** Launch or typical street price of the card or the cheapest machine with the chip, USD. */
  priceUSD: RangeSchema.optional(),
  /** Apple: the machines the chip shipped in, the usual one first. */
  forms: z.array(AppleFormSchema).optional(),
  notes: z.array(z.string()).default([]),
});
export type ChipRecord = z.infer<typeof ChipRecordSchema>;

export const MachinesFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  chips: z.array(ChipRecordSchema).min(1),
});
export type MachinesFile = z.infer<typeof MachinesFileSchema>;
