/**
 * Any machine people own, composed from the chip table: a chip, a memory size, a count ("2x 3090")
 * and host RAM ("+ 64GB DDR5"). The ids compose the same way, so every machine works in every
 * command (`--device`, `against`, the selects):
 *
 *   [<n>x-]<chip>[-<memory>gb][-ram-<host>gb]        2x-rtx-3090-ram-64gb, rtx-3060-12gb, mi50-32gb
 *   [<n>x-]<form>-<apple chip>-<memory>gb             macbook-pro-m2-max-96gb, mac-mini-m4-16gb
 *   generic-gpu-<memory>gb, generic-mac-<memory>gb    "a 16GB GPU", "my 24GB Mac": kind and size only
 *
 * The memory size is in the id when the chip shipped with more than one. Curated whole machines
 * (hardware.json: the default pair and a few more) win over a composed one with the same id; a
 * count or host RAM makes another id, composed from the chip ("rtx-5090-ram-128gb").
 */
import type { AppleForm, ChipRecord, ChipVariant } from './machine-schema.js';
import type { DeviceRecord, Figure, GpuMemoryRule, Range } from './schema.js';

/** What a composed machine is made of. */
export interface MachineParts {
  chip: ChipRecord;
  variant: ChipVariant;
  gpus: number;
  hostRamGB: number | null;
  form: AppleForm | null;
}

export const FORM_NAMES: Record<AppleForm, string> = {
  'macbook-air': 'MacBook Air',
  'macbook-pro': 'MacBook Pro',
  'mac-mini': 'Mac mini',
  'mac-studio': 'Mac Studio',
  imac: 'iMac',
  'mac-pro': 'Mac Pro',
};

const est = (value: number, note: string): Figure => ({ value, source: 'estimate', note });
const estRange = (low: number, high: number, note: string): Range => ({ low, high, source: 'estimate', note });

/** The id of a composed machine (see the file comment for the grammar). */
export function machineId(p: Pick<MachineParts, 'chip' | 'variant' | 'gpus' | 'hostRamGB' | 'form'>): string {
  const count = p.gpus > 1 ? `${p.gpus}x-` : '';
  const sized =
    p.chip.variants.length > 1 || p.chip.vendor === 'apple' || p.variant.memoryGB !== p.chip.variants[0]!.memoryGB;
  const memory = sized ? `-${p.variant.memoryGB}gb` : '';
  const generic = p.chip.id.startsWith('generic-');
  const form = p.chip.vendor === 'apple' && !generic ? `${p.form ?? p.chip.forms?.[0] ?? 'mac'}-` : '';
  const ram = p.hostRamGB !== null && isDiscrete(p.chip) ? `-ram-${p.hostRamGB}gb` : '';
  return `${count}${form}${p.chip.id}${memory}${ram}`;
}

export const isDiscrete = (chip: ChipRecord) =>
  chip.kind === 'desktop-gpu' ||
  chip.kind === 'laptop-gpu' ||
  chip.kind === 'workstation-gpu' ||
  chip.kind === 'datacenter-gpu';

/** Parses a composed id into its count, host RAM and the rest ("2x-rtx-3090-ram-64gb"). */
export function splitMachineId(id: string): { gpus: number; hostRamGB: number | null; base: string } {
  let base = id;
  let gpus = 1;
  let hostRamGB: number | null = null;
  const count = /^(\d{1,2})x-(.+)$/.exec(base);
  if (count) {
    gpus = Number(count[1]);
    base = count[2]!;
  }
  const ram = /^(.+)-ram-(\d{1,4}(?:\.\d+)?)gb$/.exec(base);
  if (ram) {
    base = ram[1]!;
    hostRamGB = Number(ram[2]);
  }
  return { gpus, hostRamGB, base };
}

/** Host RAM a discrete card's PC is assumed to have when nobody says. */
function hostOf(chip: ChipRecord, hostRamGB: number | null): DeviceRecord['host'] {
  const server = chip.kind === 'datacenter-gpu';
  const ddr5 = chip.released >= '2022-10';
  const bandwidth = server
    ? est(204.8, '8-channel DDR4-3200 server: 8 x 8 bytes x 3200 MT/s (a typical GPU server; arithmetic)')
    : ddr5
      ? est(89.6, 'dual-channel DDR5-5600: 2 x 8 bytes x 5600 MT/s (arithmetic; a PC built in the card’s era)')
      : est(51.2, 'dual-channel DDR4-3200: 2 x 8 bytes x 3200 MT/s (arithmetic; a PC built in the card’s era)');
  const memory =
    hostRamGB !== null
      ? est(hostRamGB, 'as the asker stated')
      : est(server ? 256 : 32, server ? 'assumed for a GPU server' : 'assumed: a common PC with this card');
  return { memoryGB: memory, bandwidthGBs: bandwidth };
}

/** The GPU's share of unified memory: Apple's wired limit, or most of the RAM on other unified designs. */
function gpuMemoryOf(chip: ChipRecord, memoryGB: number, appleRules: AppleRules): GpuMemoryRule {
  if (isDiscrete(chip)) return { rule: 'dedicated' };
  if (chip.vendor === 'apple') {
    const rule = memoryGB >= 64 ? appleRules.large : appleRules.small;
    if (rule.rule !== 'apple-wired' || memoryGB >= 64) return rule;
    // Smaller Macs keep less back after raising the limit: 8 GB left to macOS on a 16 GB Mac would
    // give the GPU less than the default (people set iogpu.wired_limit_mb to ~14 GB there).
    const reserve = memoryGB <= 16 ? 3 : memoryGB <= 36 ? 5 : 8;
    return {
      ...rule,
      raisedReserveGB: est(
        reserve,
        `leave ~${reserve} GB to macOS and apps on a ${memoryGB} GB Mac after raising the limit with \`sudo sysctl iogpu.wired_limit_mb=<MB>\` (resets at reboot)`,
      ),
    };
  }
  const reserve = chip.kind === 'cpu' ? 0.85 : 0.75;
  return {
    rule: 'fixed',
    usableGB: est(
      Math.round(memoryGB * reserve),
      chip.kind === 'cpu'
        ? 'what the OS and apps leave of system RAM (~85%)'
        : 'the share of shared memory the GPU is typically given (~75%); drivers and BIOS settings vary',
    ),
  };
}

/** Apple's wired-limit rules, taken from the curated Macs (so their sources come along). */
export interface AppleRules {
  large: GpuMemoryRule;
  small: GpuMemoryRule;
}

function noiseOf(loadW: number, chip: ChipRecord): DeviceRecord['noise'] {
  if (chip.vendor === 'apple' && chip.kind === 'apple-soc')
    return {
      loadDbA: estRange(15, 35, 'Apple desktops are near-silent; MacBooks spin fans up under sustained load'),
      summary: 'Quiet: a Mac under sustained GPU load is near-silent on a desk (MacBooks get audible).',
    };
  const [low, high] = loadW < 150 ? [20, 32] : loadW < 450 ? [30, 42] : loadW < 900 ? [35, 50] : [45, 65];
  return {
    loadDbA: estRange(low, high, `by the machine's power under load (~${Math.round(loadW)} W); no measurement`),
    summary: `Estimated ${low}-${high} dBA under load for ~${Math.round(loadW)} W of heat (no measurement).`,
  };
}

function formFactorOf(chip: ChipRecord, form: AppleForm | null, gpus: number): string {
  if (chip.vendor === 'apple') return FORM_NAMES[form ?? chip.forms?.[0] ?? 'mac-studio'];
  switch (chip.kind) {
    case 'laptop-gpu':
      return 'Laptop';
    case 'datacenter-gpu':
      return gpus > 1
        ? 'GPU server (passive cards need server airflow)'
        : 'Server card (passive: needs server airflow)';
    case 'unified-soc':
      return 'Compact unified-memory desktop';
    case 'integrated-gpu':
      return 'PC or laptop with integrated graphics';
    case 'cpu':
      return 'PC or server without a usable GPU';
    default:
      return gpus > 1 ? `Desktop with ${gpus} cards (large PSU, spacing or risers)` : 'Desktop PC with the card';
  }
}

function priceOf(chip: ChipRecord, gpus: number): Range {
  const host = isDiscrete(chip) && chip.kind !== 'laptop-gpu' ? (chip.kind === 'datacenter-gpu' ? 3000 : 900) : 0;
  if (chip.priceUSD)
    return estRange(
      Math.round(chip.priceUSD.low * gpus + host),
      Math.round(chip.priceUSD.high * gpus + host * 1.6),
      host
        ? `${gpus > 1 ? `${gpus} x ` : ''}the card's launch price (${chip.priceUSD.source}) plus a host PC (~$${host}-${Math.round(host * 1.6)}, estimate); used prices differ`
        : `launch price of the machine (${chip.priceUSD.source})`,
    );
  return estRange(0, 0, 'no price known for this machine');
}

/** A whole machine record from its parts: figures from the chip's sources, the rest marked as estimates. */
export function composeMachine(p: MachineParts, appleRules: AppleRules): DeviceRecord {
  const { chip, variant, gpus, form } = p;
  const discrete = isDiscrete(chip);
  const memorySource = variant.source ?? chip.bandwidthGBs.source;
  const bandwidth: Figure = variant.bandwidthGBs
    ? { value: variant.bandwidthGBs, source: variant.source ?? chip.bandwidthGBs.source }
    : chip.bandwidthGBs;
  const tflops: Figure = variant.fp16Tflops
    ? { value: variant.fp16Tflops, source: variant.source ?? chip.fp16Tflops.source }
    : chip.fp16Tflops;
  const loadW = gpus * chip.powerW.value + (discrete ? 150 : 0);
  // A board or module rated at a few watts (a Raspberry Pi, a Jetson) idles at a few watts, not a mini PC's 10-40.
  const idle = discrete
    ? [40 + gpus * 10, 80 + gpus * 25]
    : chip.vendor === 'apple'
      ? [5, 20]
      : [Math.min(10, 0.15 * chip.powerW.value), Math.min(40, 0.5 * chip.powerW.value)];
  const formName = chip.vendor === 'apple' ? `${FORM_NAMES[form ?? chip.forms?.[0] ?? 'mac-studio']} ` : '';
  const count = gpus > 1 ? `${gpus}x ` : '';
  const fullName = chip.id.startsWith('generic-')
    ? chip.name
    : chip.vendor === 'apple'
      ? `Apple ${formName}${chip.shortName}`
      : chip.name;
  const withMemory = `${count}${chip.shortName} ${variant.memoryGB}GB`;
  return {
    id: machineId(p),
    name: `${count}${fullName} (${variant.memoryGB} GB${p.hostRamGB !== null && discrete ? `, ${p.hostRamGB} GB RAM` : ''})`,
    shortName: withMemory.length <= 14 ? withMemory : `${count}${chip.shortName}`.slice(0, 14),
    aliases: [],
    vendor: chip.vendor,
    backend: chip.backend,
    gpus,
    unified: !discrete,
    memoryGB: { value: variant.memoryGB, source: memorySource },
    bandwidthGBs: bandwidth,
    fp16Tflops: tflops,
    gpuMemory: gpuMemoryOf(chip, variant.memoryGB, appleRules),
    ...(discrete ? { host: hostOf(chip, p.hostRamGB) } : {}),
    power: {
      loadW: est(
        loadW,
        discrete
          ? `${gpus} x ${chip.powerW.value} W board power + ~150 W for the rest of the PC; decoding draws less`
          : `the chip's power under GPU load (${chip.powerW.value} W)`,
      ),
      idleW: estRange(idle[0]!, idle[1]!, 'typical idle draw for this kind of machine; no measurement'),
    },
    noise: noiseOf(loadW, chip),
    formFactor: formFactorOf(chip, form, gpus),
    priceUSD: priceOf(chip, gpus),
    priceDate: chip.released,
    notes: [
      `Composed from the chip table: ${chip.name}${gpus > 1 ? `, ${gpus} of them (layer split: memory adds up, bandwidth does not)` : ''}.`,
      ...chip.notes,
    ],
  };
}
