/**
 * The machines a question names, the way people name them: "my 3060 12gb", "M2 Max 64GB MacBook",
 * "2x 3090 + 128GB DDR4", "4x MI50", "a 16GB Mac", "CPU only with 64GB RAM", "8张4090". Each is read
 * into a chip (or a kind: a GPU, a Mac, a CPU), its memory, how many, the host RAM, and whether the
 * asker owns it or is considering it. Pure; linear in the text.
 */
import { perCatalog, variantFor, type Catalog, type CatalogDevice } from '../catalog/catalog.js';
import type { AppleForm, ChipRecord } from '../catalog/machine-schema.js';
import { isDiscrete } from '../catalog/machines.js';
import type { MachineRole } from './types.js';
import { NameTrie, namePieces, nameTokens, tokensOf, TypoIndex, type Token } from './words.js';

/** What a name in the text stands for. */
type Named =
  { kind: 'chip'; chip: ChipRecord } | { kind: 'form'; form: AppleForm | 'mac' } | { kind: 'gpu' } | { kind: 'cpu' };

export interface MachineMention {
  chip: ChipRecord;
  /** "a 16GB GPU", "my Mac": read by kind and size only. */
  generic: boolean;
  memoryGB: number | null;
  gpus: number;
  hostRamGB: number | null;
  form: AppleForm | null;
  role: MachineRole;
  /** Said as one more of something ("add one more 5070 Ti"): a separate machine even if the same chip. */
  another?: boolean;
  /** The words that named the chip ("rtx", "6000"), for finding the card a stated size points to. */
  words?: string[];
  /** The count was said ("2x", "two", "a single"), not assumed. */
  counted?: boolean;
  /** The memory was said as VRAM ("32GB of VRAM", 显存) or right next to the name ("3060M 12GB"). */
  vramSaid?: boolean;
  /** The machine one switched away from ("I switched from a 4090 to a 5090"): named, no longer owned. */
  former?: boolean;
  /** Token span in the text, to take it out before models are read. */
  start: number;
  end: number;
  /** The same span in characters. */
  startChar: number;
  endChar: number;
}

const VENDOR_WORDS = ['nvidia', 'geforce', 'amd', 'radeon', 'intel', 'apple', 'tesla', 'quadro'];
/** A card said modded: its memory may be any the modders fit. */
const MODDED = /\b(modded|mod|modified)\b|魔改/i;
/** Memory sizes cards are commonly modded to and sold with (Chinese 22 GB 2080 Ti and 48 GB 4090 boards). */
const KNOWN_MODS: Record<string, number[]> = {
  'rtx-2080-ti': [22],
  'rtx-3080': [20],
  'rtx-3070': [16],
  'rtx-4090': [48],
  'rtx-4090-d': [48],
  'rx-580': [16],
};

/** GPU architectures said before a card's name ("Blackwell 6000 Pro", "Ada 6000"). */
const ARCHITECTURES = /^(pascal|volta|turing|ampere|ada|lovelace|hopper|blackwell|rdna\d?|cdna\d?)$/;
/** The words a vendor's cards are called by, before their model number. */
const VENDOR_OF: Record<string, string[]> = { nvidia: ['nvidia', 'geforce'], amd: ['amd', 'radeon'], intel: ['intel'] };
const VENDOR_BY_WORD: Record<string, string> = Object.fromEntries(
  Object.entries(VENDOR_OF).flatMap(([vendor, words]) => words.map((w) => [w, vendor])),
);
const FORM_WORDS: [string, AppleForm | 'mac'][] = [
  ['macbook air', 'macbook-air'],
  // Plurals, for counts of whole machines ("a cluster of 4 Mac minis").
  ['macbook airs', 'macbook-air'],
  ['macbook pros', 'macbook-pro'],
  ['macbooks', 'macbook-pro'],
  ['mac minis', 'mac-mini'],
  ['mac studios', 'mac-studio'],
  ['imacs', 'imac'],
  ['macbook pro', 'macbook-pro'],
  ['mbp', 'macbook-pro'],
  ['mba', 'macbook-air'],
  ['macbook', 'macbook-pro'],
  ['mac mini', 'mac-mini'],
  ['macmini', 'mac-mini'],
  ['mac studio', 'mac-studio'],
  ['imac', 'imac'],
  ['mac pro', 'mac-pro'],
  ['mac', 'mac'],
  ['macs', 'mac'],
  ['macos', 'mac'],
  ['apple silicon', 'mac'],
];
const GPU_WORDS = [
  'gpu',
  'gpus',
  'card',
  'cards',
  'graphics card',
  'video card',
  'videocard',
  'vram',
  'graphic card',
  'gbvram',
  'gvram',
  '显卡',
  '显存',
  // A vendor alone is a GPU of that size ("my 16gb amd", "16gb RTX GEFORCE", "the new intel gpu").
  'amd',
  'nvidia',
  'radeon',
  'geforce',
  'rtx geforce',
  'geforce rtx',
  'intel gpu',
  'intel arc',
];
const CPU_WORDS = [
  'cpu only',
  'cpu-only',
  'only cpu',
  'cpu inference',
  'no gpu',
  'without gpu',
  'without a gpu',
  '纯 cpu',
  '无 显 卡',
  'cpu',
];

const COUNT_WORDS: Record<string, number> = {
  couple: 2,
  two: 2,
  dual: 2,
  pair: 2,
  three: 3,
  triple: 3,
  four: 4,
  quad: 4,
  five: 5,
  six: 6,
  eight: 8,
  两: 2,
};

interface Index {
  trie: NameTrie<Named>;
  /** Words of machine names (5+ letters: "ultra", "studio", "macbook"), for one-letter typos ("utra");
   * shorter ones would mend plain words ("more" is one letter from "core"). */
  vocabulary: Set<string>;
  typos: TypoIndex;
}
const indexOf = perCatalog((catalog): Index => {
  const trie = new NameTrie<Named>();
  for (const chip of catalog.chips) {
    if (chip.id.startsWith('generic-')) continue;
    const named: Named = { kind: 'chip', chip };
    const names = [chip.name, chip.shortName, chip.id.replace(/-/g, ' '), ...chip.aliases];
    for (const n of names) {
      const toks = namePieces(n);
      trie.add(toks, named);
      // "NVIDIA GeForce RTX 3060" is also typed "RTX 3060" and "GeForce 3060".
      let rest = toks;
      while (rest.length > 1 && VENDOR_WORDS.includes(rest[0]!.t) && rest[1]!.first) {
        rest = rest.slice(1);
        // "Radeon 7" is not "7": what is left alone must still look like a model number ("3060").
        if (rest.length > 1 || /^\d{3,}$/.test(rest[0]!.t)) trie.add(rest, named);
      }
    }
  }
  // "nvidia 4070 ti", "amd7900": a vendor word before any name that starts with a model number.
  for (const chip of catalog.chips) {
    const vendors = VENDOR_OF[chip.vendor];
    if (!vendors || chip.id.startsWith('generic-')) continue;
    for (const n of [chip.shortName, ...chip.aliases]) {
      const toks = namePieces(n);
      if (VENDOR_WORDS.includes(toks[0]!.t) || !/\d/.test(toks[0]!.t)) continue;
      const keys = toks.map((t) => (t.first ? t.t : `+${t.t}`));
      for (const v of vendors) trie.add([v, ...keys], { kind: 'chip', chip });
    }
  }
  // "5060rtx", "3090 rtx": the series word after the number.
  for (const chip of catalog.chips) {
    const m = /^(?:nvidia |geforce )*(rtx|gtx) (\d{4})( ti| super)?$/i.exec(chip.shortName);
    if (m && chip.kind === 'desktop-gpu') trie.add(nameTokens(`${m[2]}${m[3] ?? ''} ${m[1]}`), { kind: 'chip', chip });
  }
  // "MacBook Pro Max M3": the tier said before the generation (Max and Ultra are never a form word).
  for (const chip of catalog.chips) {
    const m = /^(m\d+) (max|ultra)$/i.exec(chip.shortName);
    if (m && chip.vendor === 'apple') trie.add(nameTokens(`${m[2]} ${m[1]}`), { kind: 'chip', chip });
  }
  for (const [w, form] of FORM_WORDS) trie.add(nameTokens(w), { kind: 'form', form });
  for (const w of GPU_WORDS) trie.add(nameTokens(w), { kind: 'gpu' });
  for (const w of CPU_WORDS) trie.add(nameTokens(w), { kind: 'cpu' });
  const vocabulary = new Set<string>();
  for (const c of catalog.chips)
    for (const t of nameTokens(`${c.name} ${c.shortName} ${c.aliases.join(' ')}`))
      if (/^[a-z]{5,}$/.test(t)) vocabulary.add(t);
  for (const [w] of FORM_WORDS) for (const t of nameTokens(w)) if (t.length >= 5) vocabulary.add(t);
  return { trie, vocabulary, typos: new TypoIndex(vocabulary) };
});

interface Span {
  named: Named;
  start: number;
  end: number;
}

const isNumber = (t: Token | undefined) => !!t && /^\d+(\.\d+)?$/.test(t.t);
const GB = /^(gb|g|gig|gigs|gib|gbs|gigabytes?|tb|terabytes?|gbvram|gvram|gbram|bg)$/;

/** A memory size at token i ("24gb", "24 GB", "1TB"): its GB and the token after it. */
function sizeAt(tokens: Token[], i: number): { gb: number; next: number } | undefined {
  const n = tokens[i];
  const unit = tokens[i + 1];
  if (!isNumber(n) || !unit) return undefined;
  // "8VRAM", "16Go": a unit glued on that is not spelled GB.
  const glued = !unit.first && /^(vram|go)$/.test(unit.t);
  // "2048 MB of video memory": megabytes, when they make at least half a gigabyte.
  if (unit.t === 'mb' && Number(n!.t) >= 512 && Number(n!.t) <= 262144) return { gb: Number(n!.t) / 1024, next: i + 2 };
  // "24Gx2", "32GBx16": a count glued to the unit; the size ends after the count, which `times` reads.
  if (/^g(b)?x$/.test(unit.t) && !unit.first && /^\d{1,2}$/.test(tokens[i + 2]?.t ?? '')) {
    const gb = Number(n!.t);
    return gb >= 1 && gb <= 4096 ? { gb, next: i + 3 } : undefined;
  }
  if (!GB.test(unit.t) && !glued) return undefined;
  if (glued)
    return Number(n!.t) >= 1 && Number(n!.t) <= 4096
      ? { gb: Number(n!.t), next: i + (unit.t === 'vram' ? 1 : 2) }
      : undefined;
  // "24gb" glued or "24 gb" apart, never "24 ... gb" across other words; "27,9GB" is 27.9 (a decimal
  // comma: one digit joined by one mark to the number before).
  const prev = tokens[i - 1];
  const comma =
    prev &&
    isNumber(prev) &&
    /^\d{1,2}$/.test(prev.t) &&
    /^\d$/.test(n!.t) &&
    n!.start - prev.end === 1 &&
    n!.afterBreak;
  const said = (comma ? Number(`${prev.t}.${n!.t}`) : Number(n!.t)) * (/^t/.test(unit.t) ? 1024 : 1);
  const gb = Math.round(said * 100) / 100;
  if (!(gb >= 1 && gb <= 4096)) return undefined;
  return { gb, next: i + 2 };
}

/** The count glued to a size's unit ("24Gx2" -> 2), or 0. */
function gluedTimes(tokens: Token[], i: number, next: number): number {
  return next === i + 3 && /^g(b)?x$/.test(tokens[i + 1]?.t ?? '') ? Number(tokens[i + 2]!.t) : 0;
}

/** A count after a card's size, the sign apart ("24GB * 2", "24G x 2"), unless RAM follows; or 0. */
function spacedTimes(tokens: Token[], next: number): number {
  const sign = tokens[next];
  const n = tokens[next + 1];
  if (!sign || !n || !/^(x|×|\*)$/.test(sign.t) || !/^\d{1,2}$/.test(n.t)) return 0;
  if (RAM_WORDS.test(tokens[next + 2]?.t ?? '') && tokens[next + 2]!.t !== 'of') return 0;
  return Number(n.t) >= 2 && Number(n.t) <= 16 ? Number(n.t) : 0;
}

/** Words before a size that make it a requirement, not a machine ("at least 14GB VRAM"). */
const REQUIREMENT =
  /\b(least|minimum|min|requires?|required|needs?|needed|recommended|than|over|under|about|approx|approximately|~)\b/;
const RAM_WORDS = /^(ram|ddr\d?|ddr|lpddr\d?|system|sysram|memory|mem|dram|of)$/;
/** Words after a size that say what it is (Chinese labels come before the value: "内存128G"). */
const VRAM_WORDS = /^(vram|gddr\d?x?|gddr|hbm\d?e?|video|unified)$/;

/** The catalog machine a mention stands for (its usual memory size when none was said). */
export function deviceOfMention(catalog: Catalog, m: MachineMention): CatalogDevice {
  const variant = m.memoryGB !== null ? variantFor(m.chip, m.memoryGB) : m.chip.variants[0]!;
  return catalog.machine({
    chip: m.chip,
    variant,
    gpus: m.gpus,
    hostRamGB: isDiscrete(m.chip) ? m.hostRamGB : null,
    form: m.chip.vendor === 'apple' ? (m.form ?? m.chip.forms?.[0] ?? null) : null,
  });
}

/** Reads every machine the text names. */
export function readMachines(catalog: Catalog, text: string): MachineMention[] {
  const { trie, vocabulary, typos } = indexOf(catalog);
  const tokens = mendTypos(tokensOf(withoutScreenSizes(text)), vocabulary, typos);
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length;) {
    const m = trie.longest(tokens, i);
    // "3090/4090": a name joined to the name before it is a list, not part of an identifier.
    const listed =
      spans.at(-1)?.end === i &&
      spans.at(-1)?.named.kind === 'chip' &&
      text.slice(tokens[i - 1]!.end, tokens[i]!.start) === '/';
    if (m && (listed || !falseFriend(tokens, i, m.end, m.value, text))) {
      spans.push({ named: m.value, start: i, end: m.end });
      i = m.end;
    } else i++;
  }
  // "6gbvram", "8VRAM": a size glued to "vram" is a GPU word too, though not at the start of its piece.
  tokens.forEach((t, k) => {
    if ((/^g(b)?vram$/.test(t.t) || (t.t === 'vram' && !t.first)) && isNumber(tokens[k - 1]))
      spans.push({ named: { kind: 'gpu' }, start: k, end: k + 1 });
  });
  spans.sort((a, b) => a.start - b.start);
  const used = new Set<number>();
  const mentions: MachineMention[] = [];
  const generic = (id: string) => catalog.chip(id);

  // Where the next chip name starts, after each span.
  const nextChip: number[] = [];
  for (let k = spans.length - 1, at = tokens.length; k >= 0; k--) {
    nextChip[k] = at;
    if (spans[k]!.named.kind === 'chip') at = spans[k]!.start;
  }
  // Apple chips take a form word next to them ("MacBook Pro M2 Max", "M4 Mac mini").
  spans.forEach((s, k) => {
    if (s.named.kind !== 'chip') return;
    const chip = s.named.chip;
    let form: AppleForm | null = null;
    let start = s.start;
    let end = s.end;
    const formSpans: Span[] = [];
    if (chip.vendor === 'apple') {
      for (const o of [spans[k - 1], spans[k + 1]]) {
        const between = tokens.slice(Math.min(o?.end ?? 0, s.end), Math.max(o?.start ?? 0, s.start));
        // "MacBook Pro M4 Max vs Mac Studio M4 Max": a form word never reaches across "vs" or "or".
        const across = between.some((t) => /^(vs|or|versus|against|and)$/.test(t.t));
        if (o?.named.kind === 'form' && !across && (o.start < s.start ? s.start - o.end : o.start - s.end) <= 8) {
          if (o.named.form !== 'mac') form = o.named.form;
          formSpans.push(o);
          used.add(spans.indexOf(o));
          start = Math.min(start, o.start);
          end = Math.max(end, o.end);
        }
      }
    }
    const laptop = catalog.chip(`${chip.id}-laptop`);
    const onLaptop =
      laptop !== undefined &&
      tokens.slice(Math.max(0, s.start - 8), s.end + 8).some((t) => /^(laptop|notebook|mobile|laptops)$/.test(t.t));
    // A size belongs to this card only up to the next card named (and the size said right before it).
    const next = nextChip[k]!;
    // The next card's size said right before it ("a 3080 and a 24GB 3090") is not this one's; one
    // across a mark or a conjunction ("3080 (10GB) & 3090") is.
    const limit =
      next < tokens.length &&
      sizeAt(tokens, next - 2)?.next === next &&
      tokens[next]!.start - tokens[next - 1]!.end <= 1
        ? next - 2
        : next;
    let m = mentionAt(tokens, onLaptop ? laptop : chip, s.start, s.end, form, false, limit);
    // "3060 6G": a size only the laptop chip of that name shipped with, below the desktop card's
    // ("a 3080 and 16gb" is the PC's RAM, not a 16 GB 3080 Laptop).
    if (
      !onLaptop &&
      laptop &&
      m.memoryGB !== null &&
      !chip.variants.some((v) => v.memoryGB === m.memoryGB) &&
      m.memoryGB < Math.max(...chip.variants.map((v) => v.memoryGB)) &&
      laptop.variants.some((v) => v.memoryGB === m.memoryGB)
    )
      m = { ...m, chip: laptop };
    for (const o of formSpans) if (m.memoryGB === null) m.memoryGB = memoryAround(tokens, chip, o.end, o.end).gpu;
    // "a 32GB Mac M4": the size said before the form word that comes before the chip.
    for (const o of formSpans)
      if (m.memoryGB === null && o.start < s.start) {
        const size = nearbySize(tokens, o.start, o.start, true);
        if (size && size.at < o.start && chip.variants.some((v) => v.memoryGB === size.gb)) m.memoryGB = size.gb;
      }
    // "two Mac Studio M3 Ultra": a count of whole machines said before the form word.
    const machines = !m.counted && start < m.start ? countSaid(tokens, start, m.end) : undefined;
    if (machines) m = { ...m, gpus: machines.gpus, counted: true, start: machines.start };
    m.words = tokens.slice(s.start, s.end).map((t) => t.t);
    used.add(k);
    if (sameAgain(tokens, mentions.at(-1), m)) {
      const prev = mentions.at(-1)!;
      prev.gpus += 1;
      prev.counted = true;
      prev.end = m.end;
      return;
    }
    mentions.push({ ...m, start: Math.min(m.start, start), end: Math.max(m.end, end) });
  });

  spans.forEach((s, k) => {
    if (used.has(k)) return;
    if (s.named.kind === 'form') {
      if (mentions.some((m) => m.chip.vendor === 'apple' && !m.generic)) return;
      // "MBA" alone may be a degree; beside an Apple chip ("M2 MBA 16GB") it is a MacBook Air.
      if (tokens[s.start]!.t === 'mba') return;
      // "Mac Studio" alone is the default Mac; other forms with a size are a Mac of that size.
      const form = s.named.form === 'mac' ? null : s.named.form;
      const size = nearbySize(tokens, s.start, s.end, true) ?? macSize(catalog, tokens, s);
      const mac = generic('generic-mac');
      // "Mac" alone is a machine only when someone has or wants one ("my Mac", "on a Mac").
      if (!form && !size && !/^(my|a|on|the|buy|new|mine|our)$/.test(tokens[s.start - 1]?.t ?? '')) return;
      const only = size ? onlyChipWith(catalog, size.gb, form) : undefined;
      // The size said before the Mac is part of its mention, so no card takes it as host RAM.
      const from = Math.min(s.start, size?.at ?? s.start);
      if (only) mentions.push({ ...mentionAt(tokens, only, from, s.end, form, false), memoryGB: size!.gb });
      else if (form === 'mac-studio' && !size && catalog.chip('m4-max')) {
        mentions.push({ ...mentionAt(tokens, catalog.chip('m4-max')!, s.start, s.end, form, false), memoryGB: 128 });
      } else if (mac)
        mentions.push({
          ...mentionAt(tokens, mac, from, s.end, form, true),
          ...(size ? { memoryGB: size.gb } : {}),
        });
    } else if (s.named.kind === 'gpu') {
      const size = nearbySize(tokens, s.start, s.end);
      const gpu = generic('generic-gpu');
      // "a GPU and 64GB DDR4", "a gpu with 64GB of system ram": a GPU of unsaid memory beside the
      // host's RAM, which the ask-back asks for (not a CPU host, not a 64 GB card).
      const ram = size ? undefined : hostRamAfter(tokens, s.end);
      if (ram !== undefined && gpu && !mentions.some((x) => !x.generic)) {
        // (Its words end at the GPU word, where the ask-back's choices put the size.)
        const m = mentionAt(tokens, gpu, s.start, s.end, null, true);
        mentions.push({ ...m, memoryGB: null, hostRamGB: ram, end: s.end });
        return;
      }
      // "GPU" alone is no machine; "a 16GB GPU" and "with 24g VRAM" are; "at least 14GB VRAM" (a
      // requirement) is not, and beside a card already named, its size belongs to that card.
      if (!size || !gpu) return;
      // ... but a sized GPU said by another vendor than every named card's ("my 16gb amd", beside a 3060
      // that others run it on) is a machine of its own.
      const vendor = tokens
        .slice(s.start, s.end)
        .map((t) => VENDOR_BY_WORD[t.t])
        .find((v) => v);
      const named = mentions.find(
        (x) =>
          !x.generic &&
          (isDiscrete(x.chip) || x.chip.kind === 'unified-soc' || x.chip.kind === 'apple-soc') &&
          (!vendor || x.chip.vendor === vendor),
      );
      // ... and so is "my 16gb RTX GeForce" or "the 16gb of VRAM it has" beside a named card never sold
      // with 16 GB: another card, described by its size.
      // (A size that is a named card's, or the total of its count, stays with it: "2x 3090 ... the 48GB".)
      const described =
        named &&
        isDiscrete(named.chip) &&
        tokens[size.at]!.first &&
        /^(a|an|my|the|our)$/.test(tokens[size.at - 1]?.t ?? '') &&
        !mentions.some(
          (x) =>
            x.memoryGB === size.gb ||
            x.chip.variants.some((v) => v.memoryGB === size.gb || v.memoryGB * x.gpus === size.gb),
        );
      // "RTX 5090 + 5070 Ti (total 48 GB VRAM)": the sum of the cards named, no card's own size.
      // ... and "it takes 20gb vram on my 4090" is what the model uses there.
      if (
        named &&
        (TOTAL_BEFORE.test(tokens[size.at - 1]?.t ?? '') || USAGE_BEFORE.test(wordsFrom(tokens, size.at - 2, 2)))
      )
        return;
      if (named && !described) {
        if (
          named.memoryGB === null &&
          isDiscrete(named.chip) &&
          isCapacity(size.gb, named.chip) &&
          Math.abs(size.at - named.end) <= 8
        ) {
          named.memoryGB = size.gb;
          // "my 3060 has 32GB of VRAM": said as VRAM, it is the card's, sold so or not.
          if (tokens.slice(s.start, s.end).some((t) => /^(vram|gddr\d?x?|显)$/.test(t.t))) named.vramSaid = true;
        }
        // "two 16GB GPUs" beside a named 16 GB card: the count is that card's.
        const phrase = countAround(tokens, Math.min(s.start, size.at), s.end);
        if (phrase.counted && phrase.gpus > 1 && !named.counted && (named.memoryGB ?? size.gb) === size.gb) {
          named.gpus = phrase.gpus;
          named.counted = true;
        }
        return;
      }
      // No single GPU has 700 GB: such a size is a total or a requirement, not a card.
      if (size.gb > 192 || asked(text, tokens, size.at, s.end)) return;
      if (
        REQUIREMENT.test(
          tokens
            .slice(Math.max(0, size.at - 3), size.at)
            .map((t) => t.t)
            .join(' '),
        ) ||
        // 需要16G的显卡 (needs a 16G card), 至少24G: a requirement said in Chinese.
        /(需 要|至 少|最 低|最 少|要 求)$/.test(wordsFrom(tokens, size.at - 2, 2))
      )
        return;
      // "only uses 14gb of vram out of 24gb": what the card has is the size after "out of", if said.
      if (USAGE_BEFORE.test(wordsFrom(tokens, size.at - 2, 2))) {
        const of = /^out of$/.test(wordsFrom(tokens, s.end, 2)) ? sizeAt(tokens, s.end + 2) : undefined;
        if (of && of.gb <= 192)
          mentions.push({ ...mentionAt(tokens, gpu, s.end + 2, of.next, null, true), memoryGB: of.gb });
        return;
      }
      // ("my card has 12GB of RAM": the size said after the card is its own, never also host RAM.)
      const m = mentionAt(tokens, gpu, Math.min(s.start, size.at), s.end, null, true);
      mentions.push({ ...m, memoryGB: size.gb, end: Math.max(m.end, sizeAt(tokens, size.at)?.next ?? m.end) });
    } else if (s.named.kind === 'cpu') {
      // "CPU only" beside a named machine says how that machine runs it, not another machine.
      if (mentions.some((m) => !m.generic) || !cpuOnly(tokens, s, mentions)) return;
      const cpu = catalog.chip('cpu-ddr5') ?? catalog.chip('cpu-ddr4');
      if (cpu) mentions.push(mentionAt(tokens, cpu, s.start, s.end, null, true));
    }
  });
  // "CPU only" beside a named machine says how that machine runs it, not that there is another
  // (a board or laptop known by its processor, a Raspberry Pi or a Snapdragon X, is a machine of its own).
  const hostOnly = (m: MachineMention) => m.chip.kind === 'cpu' && m.chip.id.startsWith('cpu-');
  if (mentions.some((m) => !m.generic && !hostOnly(m)))
    for (let k = mentions.length - 1; k >= 0; k--) if (hostOnly(mentions[k]!)) mentions.splice(k, 1);
  if (mentions.length === 0) {
    const host = cpuHost(catalog, tokens) ?? countedCards(catalog, tokens) ?? ramOnlyHost(catalog, text, tokens);
    if (host) mentions.push(host);
  }
  // "a Mac Studio with M1 Max ... my M1": the bare generation is the same Mac as its tier.
  for (let k = mentions.length - 1; k >= 0; k--) {
    const m = mentions[k]!;
    if (
      m.chip.vendor === 'apple' &&
      mentions.some((o) => o !== m && o.chip.vendor === 'apple' && o.chip.id.startsWith(`${m.chip.id}-`))
    )
      mentions.splice(k, 1);
  }
  mentions.sort((a, b) => a.start - b.start);
  perNode(text, tokens, mentions);
  dropYardsticks(tokens, mentions);
  assignHostRam(tokens, mentions);
  unifiedMemoryFromText(tokens, mentions);
  sizeSaidLater(tokens, mentions);
  // "RTX 6000 96GB", "5060 16GB": a size the named chip never had, but a chip whose name holds the
  // same words did (RTX PRO 6000, RTX 5060 Ti).
  for (const [k, m] of mentions.entries()) {
    if (!m.words || m.memoryGB === null || m.chip.variants.some((v) => v.memoryGB === m.memoryGB)) continue;
    // "L20, 显存46G", "my 3090 shows 23.5GB": a little under a size the card was sold with is what
    // the driver reports; the card is as sold.
    const sold = isDiscrete(m.chip)
      ? m.chip.variants.find((v) => m.memoryGB! < v.memoryGB && m.memoryGB! >= 0.9 * v.memoryGB)
      : undefined;
    if (sold) {
      m.memoryGB = sold.memoryGB;
      continue;
    }
    const sibling = siblingWith(catalog, m.words, m.chip, m.memoryGB);
    if (sibling) mentions[k] = { ...m, chip: sibling };
    // "M4 Studio Ultra 64GB", "an M4 with 64GB": a bare generation with a memory only its higher
    // tiers had, and more than one of them, is a Mac of that memory.
    else if (m.chip.vendor === 'apple' && /^m\d+$/.test(m.chip.id) && generic('generic-mac'))
      mentions[k] = { ...m, chip: generic('generic-mac')!, generic: true };
    // "my 5090 and 64gb", "a 3060 and 32gb": more memory than the card, or any card of its name,
    // was sold with is the PC's RAM, not a 64 GB 5090; unless it is said as VRAM, said modded
    // (魔改, "modded"), or a mod people sell (a 22 GB 2080 Ti, a 48 GB 4090). Consumer cards only (a
    // K80's 24 GB is its two GPUs').
    else if (
      isDiscrete(m.chip) &&
      !m.generic &&
      m.hostRamGB === null &&
      !m.vramSaid &&
      (m.chip.kind === 'desktop-gpu' || m.chip.kind === 'laptop-gpu') &&
      m.memoryGB > Math.max(...m.chip.variants.map((v) => v.memoryGB)) &&
      !MODDED.test(text) &&
      !KNOWN_MODS[m.chip.id]?.includes(m.memoryGB) &&
      // ("3 x RTX 3090 (72GB vram)" is the cards' sum, which perCard reads.)
      !m.chip.variants.some((v) => v.memoryGB * m.gpus === m.memoryGB)
    )
      mentions[k] = { ...m, memoryGB: null, hostRamGB: m.memoryGB };
  }
  // A Mac known only by a memory only one chip was sold with is that chip ("256 GB of RAM on the Mac").
  for (const [k, m] of mentions.entries())
    if (m.generic && m.chip.vendor === 'apple' && m.memoryGB !== null) {
      const only = onlyChipWith(catalog, m.memoryGB, m.form);
      if (only) mentions[k] = { ...m, chip: only, generic: false };
    }
  for (const m of mentions) perCard(m, tokens, text);
  // A CPU host's memory is its RAM.
  for (const m of mentions) if (m.chip.kind === 'cpu') m.hostRamGB = m.memoryGB ??= m.hostRamGB;
  for (const m of mentions) {
    m.startChar = tokens[m.start]?.start ?? 0;
    m.endChar = tokens[Math.max(m.start, m.end - 1)]?.end ?? m.startChar;
  }
  const listed = listedCards(text, mentions);
  const out = dedupe(mentions, tokens);
  for (const m of out) {
    const { n, indices } = listed.get(m.chip.id) ?? { n: 0, indices: new Set<string>() };
    // (A count said wins, except an index of the listing itself: the "1" of "GPU 1:", the "7" of
    // "|   7  NVIDIA A100".)
    if (n >= 1 && (indices.has(String(m.gpus)) || (n > 1 && !m.counted))) {
      m.gpus = Math.min(16, n);
      m.counted = true;
    }
  }
  return out;
}

/**
 * "MacBook Pro 16 M1 Pro", "my 16'' MBP", "a 14-inch MacBook Pro": a laptop's screen size is no
 * count and no memory. It is blanked (same length, so every offset holds) before the text is read.
 */
const SCREEN_SIZE =
  /\b(?:macbook ?pro|mbp|macbook ?air(?=\s*(?:\(\s*)?(?:20[12]\d\s+)?1[35]\b))\s*(?:\(\s*)?(?:20[12]\d\s+)?(1[3-6])(?=\s*(?:''|"|”|-?inch\b)|(?!\s*(?:gb|g|gib|tb|gigs?)\b)[\s,)]|$)|\b(1[3-6]|2[47])\s*(?:''|"|”|-?inch\b|寸)/gi;
function withoutScreenSizes(text: string): string {
  if (!/macbook|mbp|imac|inch|''|"|”|寸/i.test(text)) return text;
  return text.replace(SCREEN_SIZE, (m, a?: string, b?: string) => {
    const size = a ?? b!;
    const at = m.lastIndexOf(size);
    return m.slice(0, at) + ' '.repeat(size.length) + m.slice(at + size.length);
  });
}

/**
 * A pasted nvidia-smi listing ("GPU 0: NVIDIA A800-SXM4-80GB ... GPU 7: NVIDIA A800-SXM4-80GB", or
 * its table's rows):
 * how many cards of each chip it lists, the card named right after its "GPU n:".
 */
function listedCards(text: string, mentions: MachineMention[]): Map<string, { n: number; indices: Set<string> }> {
  const indices = new Map<string, Set<string>>();
  // Also the rows of nvidia-smi's table: "|   0  NVIDIA GeForce RTX 4090        Off |".
  for (const m of text.matchAll(/\bGPU ?(\d{1,2}) ?:|\|\s+(\d{1,2})\s+(?=(?:NVIDIA|Tesla|Quadro)\b)/gi)) {
    const after = m.index + m[0].length;
    // (The same card listed again was folded into one mention: match its words, not its place.)
    const next = text
      .slice(after, after + 60)
      .trimStart()
      .toLowerCase();
    // (A mention that took the index for a count starts at it: its name starts after.)
    const named = (x: MachineMention) =>
      text
        .slice(x.startChar, x.endChar)
        .replace(/^\d{1,2}\s+/, '')
        .toLowerCase();
    const card = mentions.find((x) => x.endChar > x.startChar && next.startsWith(named(x)));
    if (card) indices.set(card.chip.id, (indices.get(card.chip.id) ?? new Set()).add((m[1] ?? m[2])!));
  }
  // Indices run from 0: "GPU 0: ... GPU 7:" with the lines between left out is eight cards.
  return new Map(
    [...indices].map(([id, set]) => [
      id,
      { n: set.has('0') ? Math.max(...[...set].map(Number)) + 1 : set.size, indices: set },
    ]),
  );
}

/** Words that spell a chip but mean something else here ("M4" in "M4 Max" is handled; "a 100 tokens" is not an A100). */
function falseFriend(tokens: Token[], i: number, end: number, named: Named, text: string): boolean {
  if (named.kind !== 'chip') return false;
  const first = tokens[i]!;
  // "v0.4.10.post2-cu128-b200": a name joined to an identifier with digits is part of it.
  const prev = tokens[i - 1];
  if (first.joined && prev && /\d/.test(prev.t) && !VENDOR_WORDS.includes(prev.t)) return true;
  // "M.2 SSD" is storage: an Apple chip is written "M2", never with a dot.
  const second = tokens[i + 1];
  if (named.chip.vendor === 'apple' && first.t === 'm' && second && !second.first && second.start > first.end)
    return true;
  // A bare number names a GeForce/Radeon only when it is not a size, a count or a year ("3090 tokens").
  if (end - i === 1 && /^\d{1,2}$/.test(first.t)) return true;
  if (end - i === 1 && /^\d+$/.test(first.t)) {
    const next = tokens[end];
    const prev = tokens[i - 1];
    if (next && !next.first && /^(b|k|m|t|gb|w|mb|tok|tokens|px|mhz|mt)$/.test(next.t)) return true;
    if (next && /^(mhz|mt|mts|tokens?|steps?|words?|images?|px|ms|seconds?|mb|watts?)$/.test(next.t)) return true;
    if (prev && /^(ddr\d?|lpddr\d?|ddr)$/.test(prev.t)) return true;
    // "$5700", "4090 usd", "context 4096": a price or a length, no card.
    if (/[$€£¥]\s*$/.test(text.slice(Math.max(0, first.start - 3), first.start))) return true;
    if (next && /^(usd|dollars?|bucks)$/.test(next.t)) return true;
    if (prev && /^(ctx|context|len|length|window)$/.test(prev.t)) return true;
    // "Ryzen 5 6600", "ryzen 7600", "i7 7700", "Xeon 6700": a CPU's model number, no Radeon ("i9
    // 4090" is a rig's shorthand: no CPU model number is a GeForce's).
    const brand = named.chip.vendor === 'amd' ? (prev && /^\d$/.test(prev.t) ? tokens[i - 2] : prev) : undefined;
    if (brand && /^(ryzen|threadripper|epyc|xeon|i|i3|i5|i7|i9|core|athlon|pentium|celeron|ultra)$/.test(brand.t))
      return true;
    if (ramSpeed(tokens, i)) return true;
    if (prev && /^\d$/.test(prev.t) && /^(ddr|lpddr)$/.test(tokens[i - 2]?.t ?? '')) return true;
  }
  return false;
}

/** Data rates DDR4/DDR5 kits are sold at, MT/s. */
const DDR_SPEEDS = new Set([
  2133, 2400, 2666, 2933, 3000, 3200, 3600, 4000, 4800, 5200, 5600, 6000, 6400, 6600, 6800, 7200, 8000,
]);

/** "Ram: 96GB (48GBx2) 6600", "32GB RAM 3200": a data rate said right after a RAM kit is no Radeon. */
function ramSpeed(tokens: Token[], i: number): boolean {
  if (!DDR_SPEEDS.has(Number(tokens[i]!.t))) return false;
  // Right after the kit's size, or after its sticks ("x 2") or its RAM word.
  let k = i - 1;
  if (/^\d$/.test(tokens[k]?.t ?? '') && /^(x|\*|×)$/.test(tokens[k - 1]?.t ?? '')) k -= 2;
  // "48GBx2": the x glued to the unit.
  else if (/^\d$/.test(tokens[k]?.t ?? '') && /^g(b)?x$/.test(tokens[k - 1]?.t ?? '')) k--;
  if (/^(ram|ddr\d?|memory)$/.test(tokens[k]?.t ?? '')) k--;
  if (!GB.test(tokens[k]?.t.replace(/x$/, '') ?? '')) return false;
  for (let j = k - 1; j >= Math.max(0, i - 9); j--)
    if (sizeAt(tokens, j) && (ramBefore(tokens, j) || RAM_AFTER.test(wordsFrom(tokens, j + 2, 3)))) return true;
  return false;
}

/** "CPU" counts as a machine only where it means running without a GPU. */
function cpuOnly(tokens: Token[], s: Span, mentions: MachineMention[]): boolean {
  const words = tokens
    .slice(s.start, s.end)
    .map((t) => t.t)
    .join(' ');
  if (words !== 'cpu') return true;
  const after = tokens.slice(s.end, s.end + 2).map((t) => t.t);
  const before = tokens.slice(Math.max(0, s.start - 2), s.start).map((t) => t.t);
  const all = tokens.map((t) => t.t).join(' ');
  return (
    mentions.every((m) => !isDiscrete(m.chip) && m.chip.kind !== 'apple-soc') &&
    (after[0] === 'only' ||
      before.includes('on') ||
      before.includes('纯') ||
      before.includes('用') ||
      before.includes('using') ||
      after[0] === '跑' ||
      // "my server only has CPU, but not GPU", "no GPU", "无显卡"
      /\b(only|just) (has|have|a) cpu\b|\b(not|no|without( a)?) gpu\b|无 显 卡|没 显 卡|没 有 显 卡/.test(all))
  );
}

/** A size right before or after a span ("16GB GPU", "GPU with 24GB", "Mac 256GB"). */
const cjkBefore = (tokens: Token[], i: number) => `${tokens[i - 2]?.t ?? ''}${tokens[i - 1]?.t ?? ''}`;
/** "RAM 64GB", "DDR4 64GB", "内存640GB": the size right after a RAM word. */
/** "RAM 64GB", "DDR4 64GB", "my memory is only 256GB", "内存640GB": a size said after a RAM word. */
function ramBefore(tokens: Token[], i: number): boolean {
  // "内存640GB", "内存只有370G" (RAM is only 370G), "内存为128G".
  if (cjkBefore(tokens, i) === '内存') return true;
  for (const skip of [1, 2]) {
    const between = tokens
      .slice(Math.max(0, i - skip), i)
      .map((t) => t.t)
      .join('');
    if (/^(只有|有|为|是|共|约|大约|总共|:)$/.test(between) && cjkBefore(tokens, i - skip) === '内存') return true;
  }
  for (let k = i - 1; k >= 0 && k >= i - 4; k--) {
    // "128 gig of system ram, 24 gig of vram": the RAM word belongs to the clause before.
    if (tokens[k + 1]!.afterBreak) return false;
    const t = tokens[k]!.t;
    if (/^(memory|ram)$/.test(t) && /^(gpu|video|graphics|vram|graphic)$/.test(tokens[k - 1]?.t ?? '')) return false;
    // "memory in use 30GB", "RAM usage 20GB", "swap 16GB": an amount taken, not what the host has.
    if (/^(use|usage|used|swap|swapping|allocated|allocates|allocating|consumption|free|peak)$/.test(t)) return false;
    if (/^(ram|ddr|lpddr|memory|mem|sysram)$/.test(t)) return true;
    // "DDR5-5600 32G": a kit's data rate sits between the RAM word and the size.
    if (/^\d+$/.test(t) && DDR_SPEEDS.has(Number(t)) && /^\d$/.test(tokens[k - 1]?.t ?? '')) continue;
    if (
      /^(vram|gpu|gpus|card|gb|g|with|and|显)$/.test(t) ||
      (/^\d+$/.test(t) && !/^(ddr|lpddr)$/.test(tokens[k - 1]?.t ?? ''))
    )
      return false;
  }
  return false;
}

/** Words that join a GPU word to what comes next ("a GPU and 32GB RAM", "GPU + 64GB"). */
const JOINER = /^(and|plus|\+|和)$/;
/**
 * Whether the words after a size make it the host's RAM: "of system RAM", "DDR5" always; plain "RAM"
 * only across a joiner ("a GPU and 32GB RAM"), since "a GPU with 12GB RAM" is the card's.
 */
const isHostRam = (tokens: Token[], next: number, joined: boolean) =>
  HOST_RAM_AFTER.test(wordsFrom(tokens, next, 4)) || (joined && RAM_AFTER.test(wordsFrom(tokens, next, 3)));

/** A host-RAM size said within a few words after a GPU word ("GPU and 64GB DDR4"). */
function hostRamAfter(tokens: Token[], end: number): number | undefined {
  let joined = false;
  for (let at = end; at <= end + 4 && at < tokens.length; at++) {
    const s = sizeAt(tokens, at);
    if (s) return isHostRam(tokens, s.next, joined) ? s.gb * sticks(tokens, at, s.next) : undefined;
    if (JOINER.test(tokens[at]!.t)) joined = true;
    if (!/^(with|w|of|and|has|having|plus|\+|和|\d+)$/.test(tokens[at]!.t)) return undefined;
  }
  return undefined;
}

function nearbySize(tokens: Token[], start: number, end: number, mac = false): { gb: number; at: number } | undefined {
  // "6gbvram": the size's own unit is the GPU word.
  const glued = start >= 1 ? sizeAt(tokens, start - 1) : undefined;
  if (glued && (glued.next === start + 1 || (glued.next === start && !tokens[start]!.first)))
    return { gb: glued.gb, at: start - 1 };
  for (const at of [start - 2, start - 3]) {
    const s = at >= 0 && !ramBefore(tokens, at) ? sizeAt(tokens, at) : undefined;
    // Right before, or with only an article or "of" between ("16GB GPU", "24 gig of vram"); never
    // across a word like "vs" ("a MI50 32gb vs mac studio": the 32 GB is the MI50's).
    if (s && (s.next === start || (s.next === start - 1 && /^(a|an|the|my|of|的)$/.test(tokens[start - 1]!.t))))
      return { gb: s.gb, at };
    // "a 96GB RAM MacBook": a Mac's RAM is its memory.
    if (s && s.next === start - 1 && mac && /^(ram|memory|unified)$/.test(tokens[start - 1]!.t))
      return { gb: s.gb, at };
  }
  let joined = false;
  for (let at = end; at <= end + 4 && at < tokens.length; at++) {
    const s = sizeAt(tokens, at);
    // "two GPUs and 256GB of system RAM", "a GPU and 32GB RAM": the host's RAM, not the cards' memory.
    // ("my card has 12GB of RAM" is the card's: people call VRAM RAM.)
    if (s && isHostRam(tokens, s.next, joined)) break;
    if (JOINER.test(tokens[at]!.t)) joined = true;
    if (s) return { gb: s.gb, at };
    // "GPU with 24GB", "the max GPU memory is 45G".
    if (!/^(with|w|of|and|has|having|memory|vram|is|max|only|about|\d+)$/.test(tokens[at]!.t)) break;
  }
  return undefined;
}

function mentionAt(
  tokens: Token[],
  chip: ChipRecord,
  start: number,
  end: number,
  form: AppleForm | null,
  generic: boolean,
  limit = tokens.length,
): MachineMention {
  let count = countAround(tokens, start, end, chip.vendor === 'apple');
  const mem = memoryAround(tokens, chip, count.start, count.end, limit);
  // "two 24gb 4090s", "8 x 40GB A100", "四张16G的V100": the count said before the size.
  const early =
    !count.counted && mem.from < count.start
      ? countSaid(tokens, mem.from, count.end, chip.vendor === 'apple')
      : undefined;
  if (early) count = { ...early, counted: true };
  // "3090 (24G x 2)", "24GB x 4": a count said after the size.
  const x = tokens[mem.end];
  const n = tokens[mem.end + 1];
  // "RTX4090 24Gx2张": the x glued to the card's size (never a RAM kit's "32GBx2").
  const glued = mem.gpuTimes >= 2 && mem.gpuTimes <= 16 && chip.variants.some((v) => v.memoryGB === mem.gpu);
  const after = !count.counted && mem.gpu !== null && x?.t === 'x' && n && /^\d{1,2}$/.test(n.t) && Number(n.t) <= 16;
  return {
    chip,
    generic,
    memoryGB: mem.gpu,
    ...(mem.vram ? { vramSaid: true } : {}),
    gpus: after ? Number(n!.t) : glued && !count.counted ? mem.gpuTimes : count.gpus,
    counted: count.counted || !!after || glued,
    hostRamGB: mem.host,
    form,
    role: roleBefore(tokens, count.start),
    ...(leftBehind(tokens, count.start) ? { former: true } : {}),
    another:
      /^(more|another|second|extra|additional)$/.test(tokens[count.start - 1]?.t ?? '') ||
      // "a 2nd 5090", "a 3rd card"
      (/^(nd|rd|th)$/.test(tokens[count.start - 1]?.t ?? '') && /^\d$/.test(tokens[count.start - 2]?.t ?? '')),
    start: count.start,
    end: Math.max(count.end, after ? mem.end + 2 : mem.end),
    startChar: 0,
    endChar: 0,
  };
}

/** "2x 3090", "2 x 3090", "two 3090s", "4 MI50s", "3090 x2", "8张4090", "8 * 4090". */
function countAround(
  tokens: Token[],
  start: number,
  end: number,
  apple = false,
): { gpus: number; start: number; end: number; counted: boolean } {
  const c = countSaid(tokens, start, end, apple);
  // "2台 H100*8", "H100x8*2": machines times cards per machine.
  const a1 = tokens[c?.end ?? end];
  const a2 = tokens[(c?.end ?? end) + 1];
  const per = a1 && a2 && /^(x|×|\*)$/.test(a1.t) && /^\d{1,2}$/.test(a2.t) ? Number(a2.t) : undefined;
  if (c && per && per <= 16) return { gpus: Math.min(16, c.gpus * per), start: c.start, end: c.end + 2, counted: true };
  if (c) return { ...c, counted: true };
  const b1 = tokens[start - 1]?.t ?? '';
  // "a single 4090", "one 3090", "1 RTX 4090": a count of one, said.
  if (/^(single|one|just|1|一|一张|一块)$/.test(b1)) return { gpus: 1, start: start - 1, end, counted: true };
  return { gpus: 1, start, end, counted: false };
}

function countSaid(
  tokens: Token[],
  start: number,
  end: number,
  apple = false,
): { gpus: number; start: number; end: number } | undefined {
  // "two NVIDIA RTX 4090 GPUs", "two NVIDIA Blackwell 6000 Pro GPUs": the count comes before the
  // vendor's name and the architecture's.
  while (
    start > 0 &&
    (VENDOR_WORDS.includes(tokens[start - 1]!.t) ||
      ARCHITECTURES.test(tokens[start - 1]!.t) ||
      // "2x modded 2080 Ti"
      /^(modded|modified|魔|改)$/.test(tokens[start - 1]!.t)) &&
    !tokens[start]!.afterBreak
  )
    start--;
  const b1 = tokens[start - 1];
  const b2 = tokens[start - 2];
  const a1 = tokens[end];
  const a2 = tokens[end + 1];
  const valid = (n: number) => n >= 1 && n <= 64;
  // "4 GPU Mi50", "8张4090", "2 x 3090".
  // ("RAM : 32GB * 2 GPU: NVIDIA ...": a number that multiplies the size before it counts sticks.)
  if (
    b1 &&
    b2 &&
    /^(x|×|\*|张|块|个|台|卡|cards?|gpus?)$/.test(b1.t) &&
    isNumber(b2) &&
    valid(Number(b2.t)) &&
    // "3090 24g 2张 4090 24g": a count right after another card's size is that card's.
    !(/^(g|gb)$/.test(tokens[start - 3]?.t ?? '') && isNumber(tokens[start - 4]) && !b2.afterBreak) &&
    !(
      /^gpus?$/.test(b1.t) &&
      (/^(x|×|\*|gb|g)$/.test(tokens[start - 3]?.t ?? '') ||
        !b2.first ||
        b1.afterBreak ||
        // "2 GPUs: 3090 and 4090", "2 GPU 4090 + 3090": the count of a list, not of its first card;
        // "the 40 GPU M3 Max": cores.
        tokens[start]!.start - b1.end > 1 ||
        /^(and|plus|&)$/.test(tokens[end]?.t ?? '') ||
        (isNumber(tokens[end]) && tokens[end]!.first && !sizeAt(tokens, end)) ||
        apple)
    )
  )
    return { gpus: Number(b2.t), start: start - 2, end };
  // "三张24 3090" (three 24 [GB] 3090s): a count and its classifier, then the card's size without its unit.
  const b3 = tokens[start - 3];
  if (
    b1 &&
    b2 &&
    b3 &&
    isNumber(b1) &&
    [8, 10, 11, 12, 16, 20, 22, 24, 32, 40, 48, 80, 96].includes(Number(b1.t)) &&
    /^(张|块|台)$/.test(b2.t) &&
    isNumber(b3) &&
    valid(Number(b3.t))
  )
    return { gpus: Number(b3.t), start: start - 3, end };
  if (b1 && COUNT_WORDS[b1.t] !== undefined) return { gpus: COUNT_WORDS[b1.t]!, start: start - 1, end };
  if (b1 && b1.t === 'of' && b2 && COUNT_WORDS[b2.t] !== undefined)
    return { gpus: COUNT_WORDS[b2.t]!, start: start - 2, end };
  if (
    b1 &&
    isNumber(b1) &&
    b1.first &&
    b1.last &&
    valid(Number(b1.t)) &&
    Number.isInteger(Number(b1.t)) &&
    tokens[start]!.first &&
    // "Windows 10, RTX 4060": a number across punctuation, or one that versions a word, is no count;
    // nor is one joined to what follows ("25/45GB" is a part of a whole).
    !tokens[start]!.afterBreak &&
    !tokens[start]!.joined &&
    // "GPU 7: NVIDIA A800" (an index, as nvidia-smi lists cards) is no count either.
    !(/^gpus?$/.test(b2?.t ?? '') && tokens[start]!.start - b1.end > 1) &&
    !/^(windows|win|ubuntu|macos|version|v|python|cuda|rocm|ios|gen|pcie)$/.test(b2?.t ?? '') &&
    // "MacBook Air 16 M3": a number between a Mac's name and its chip is a size, never a count.
    !(apple && /^(air|pro|mini|studio|macbook|mbp|mba|imac)$/.test(b2?.t ?? '')) &&
    // "Surface Laptop 7 (X Elite)", "Vivobook S 15 (X Elite)": a laptop's model number is no count.
    !/^(laptop|notebook|book|vivobook|zenbook|expertbook|surface|thinkpad|ideapad|xps|galaxy|yoga|envy|spectre|legion|zephyrus|strix|tuf|omen|predator|swift|aspire|blade|s)$/.test(
      b2?.t ?? '',
    )
  ) {
    // "2 3090s", "4 MI50s": a lone small number right before the chip.
    const plural = tokens.slice(start, end + 1).some((t) => t.t === 's') || /s$/.test(tokens[end - 1]!.t);
    if (plural || Number(b1.t) > 1) return { gpus: Number(b1.t), start: start - 1, end };
  }
  if (a1 && a2 && /^(x|×|\*)$/.test(a1.t) && isNumber(a2) && valid(Number(a2.t)))
    return { gpus: Number(a2.t), start, end: end + 2 };
  // "1080ti sli", "3090 nvlink": a bridged pair.
  if (a1 && /^(sli|nvlink)$/.test(a1.t)) return { gpus: 2, start, end: end + 1 };
  // "7900XT 4 cards", "4090 x 8".
  // ("M4 Max 40 GPU cores" is a bin, not forty GPUs.)
  if (
    !apple &&
    a1 &&
    a2 &&
    isNumber(a1) &&
    /^(cards?|gpus?|张|块|卡)$/.test(a2.t) &&
    valid(Number(a1.t)) &&
    !/^cores?$/.test(tokens[end + 2]?.t ?? '')
  )
    return { gpus: Number(a1.t), start, end: end + 2 };
  // "2080ti 22g 双卡", "3090 24GB x2 cards": the count after the card's memory.
  const [a3, a4] = [tokens[end + 2], tokens[end + 3]];
  if (
    !apple &&
    a1 &&
    a2 &&
    a3 &&
    a4 &&
    isNumber(a1) &&
    /^(g|gb)$/.test(a2.t) &&
    isNumber(a3) &&
    /^(cards?|gpus?|张|块|卡)$/.test(a4.t) &&
    valid(Number(a3.t)) &&
    !a3.afterBreak
  )
    return { gpus: Number(a3.t), start, end };
  return undefined;
}

/**
 * The GPU memory and host RAM said next to a machine: "3060 12gb", "24GB 3090", "M2 Max (64GB)",
 * "4090 24GB GDDR6X + DDR4 64GB", "5090 with 32GB of VRAM, 128GB of RAM".
 */
function memoryAround(
  tokens: Token[],
  chip: ChipRecord,
  start: number,
  end: number,
  limit = tokens.length,
): { gpu: number | null; host: number | null; from: number; end: number; gpuTimes: number; vram: boolean } {
  let gpuTimes = 0;
  let vram = false;
  let gpu: number | null = null;
  let host: number | null = null;
  let last = end;
  const discrete = isDiscrete(chip);
  const fits = (gb: number) =>
    chip.variants.some((v) => v.memoryGB === gb) || (discrete ? gb <= 96 && isCapacity(gb, chip) : gb >= 8);
  // Before: "24GB 3090", "a 64GB M1 Max" (the size right before the chip).
  // "16G的V100": in Chinese the size is joined to the name by 的.
  // "16G显存的4060Ti": with the word for VRAM before it.
  const de = tokens[start - 1]?.t === '的' ? (cjkBefore(tokens, start - 1) === '显存' ? 3 : 1) : 0;
  const before = start >= 2 + de ? sizeAt(tokens, start - 2 - de) : undefined;
  let from = start;
  // ("3080 (10GB) & 3090": a size across a mark or a conjunction is the card's before it.)
  if (before && before.next === start - de && fits(before.gb) && tokens[start]!.start - tokens[start - 1]!.end <= 1) {
    gpu = before.gb;
    vram = true;
    from = start - 2 - de;
  }
  // "192 M2 Ultra": a bare number right before a Mac chip that it shipped with.
  const bare = tokens[start - 1];
  if (
    gpu === null &&
    !discrete &&
    bare &&
    /^\d+$/.test(bare.t) &&
    chip.variants.some((v) => v.memoryGB === Number(bare.t))
  )
    gpu = Number(bare.t);
  // After: up to a few words of sizes and their kinds.
  for (let i = end, seen = 0; i < limit && seen < 7; i++, seen++) {
    const s = sizeAt(tokens, i);
    // "a 3080 and a 12gb quant of qwen": a file's size ends the machine's words ("4060 Ti 16GB
    // model", right after the card, is the card's).
    if (s && i > end && FILE_AFTER.test(wordsFrom(tokens, s.next, 2))) break;
    if (s) {
      const kind = tokens[s.next]?.t ?? '';
      const kindBefore = tokens[i - 1]?.t ?? '';
      // "2TB M.2 SSD", "1TB NVMe": storage, not memory.
      const storage = /^(ssd|nvme|disk|storage|hdd|m|drive|sata)$/.test(kind);
      const kind2 = tokens[s.next + 1]?.t ?? '';
      // "3090 64G内存": 内存 after the size is RAM, 显存 is VRAM, unless a size follows the label
      // ("显存12G 内存64G": the labels come before their values).
      // ("22g，内存只有370G": across a clause break the label is the next value's.)
      const ramLabelAfter =
        kind === '内' && kind2 === '存' && !tokens[s.next]!.afterBreak && !sizeAt(tokens, s.next + 2);
      const isRam =
        (RAM_WORDS.test(kind) && kind !== 'of') ||
        (/^(of|system)$/.test(kind) && /^(ram|ddr\d?|ddr|system|memory)$/.test(kind2) && !/^(vram|gpu)$/.test(kind2)) ||
        // "32gb of normal ram", "16gb of tipical ram": the PC's RAM, however it is called.
        (kind === 'of' &&
          /^(normal|typical|tipical|regular|ordinary|cpu|main|host|physical)$/.test(kind2) &&
          /^(ram|memory)$/.test(tokens[s.next + 2]?.t ?? '')) ||
        ramLabelAfter ||
        ramBefore(tokens, i);
      const isVram =
        VRAM_WORDS.test(kind) ||
        // "32GB of VRAM"
        (kind === 'of' && VRAM_WORDS.test(kind2)) ||
        /^(vram)$/.test(kindBefore) ||
        (cjkBefore(tokens, i) === '显存' && !ramLabelAfter) ||
        (kind === '显' && kind2 === '存' && !sizeAt(tokens, s.next + 2));
      // "a 4090 with 24GB of Ram": people call VRAM RAM; the card's own size is its VRAM.
      const ownSize = discrete && gpu === null && chip.variants.some((v) => v.memoryGB === s.gb) && s.gb < 48;
      if (discrete && isRam && !isVram && host === null && !ownSize) host = s.gb * sticks(tokens, i, s.next);
      else if (!discrete && gpu === null) gpu = s.gb;
      else if (gpu === null && (isVram || fits(s.gb))) {
        gpu = s.gb;
        // Right after the name ("3060M 12GB", "4090 48G"), a size is the card's; after "and" or a
        // comma ("my 5090 and 64gb", "5090, 64gb") it may be the PC's.
        vram = isVram || (i === end && !tokens[i]!.afterBreak);
        // "RTX4090 24Gx2张": the card's own size, times the cards.
        // "4090 24GB * 2", "3090 24G x 2": the same, the sign apart.
        if (!isRam) gpuTimes = gluedTimes(tokens, i, s.next) || spacedTimes(tokens, s.next);
      } else if (
        discrete &&
        host === null &&
        s.gb >= 16 &&
        s.gb <= 1024 &&
        !storage &&
        !USED_AFTER.test(wordsFrom(tokens, s.next, 3)) &&
        // "6x RTX 4090 (144GB total)": the cards' sum, not host RAM.
        !TOTAL_AFTER.test(wordsFrom(tokens, s.next, 4))
      )
        host = s.gb;
      last = s.next;
      i = s.next - 1;
      continue;
    }
    const t = tokens[i]!.t;
    // "M3 Ultra 512": a bare number that is one of the chip's memory sizes.
    if (
      !discrete &&
      gpu === null &&
      /^\d+$/.test(t) &&
      chip.variants.some((v) => v.memoryGB === Number(t)) &&
      // "an 8-core GPU" is no 8 GB
      !/^(core|cores|c|gpu|cpu|threads?|x)$/.test(tokens[i + 1]?.t ?? '')
    ) {
      gpu = Number(t);
      last = i + 1;
      continue;
    }
    // A memory size belongs to this machine only up to the next machine or clause ("4卡2080ti，每张22g":
    // "each 22g" goes on).
    if (
      !/^(with|w|and|of|vram|gddr\d?x?|ddr\d?|ram|memory|unified|system|gpu|card|version|edition|model|the|a|an|x|\*|core|cores|c|cpu|gpus|only|is|maybe|probably|gtx|rtx|geforce|nvidia|amd|radeon|laptop|mobile|each|modded|\d+|显|存|内|每|张|卡|魔|改|\+)$/.test(
        t,
      ) &&
      // "M4 Ultra 128GB": a tier word the chip name did not take (no M4 Ultra was made).
      !(!discrete && /^(pro|max|ultra)$/.test(t))
    )
      break;
  }
  return { gpu, host, from, end: last, gpuTimes, vram };
}

const CURRENT = /^(have|own|got|using|use|my|mine|our|currently|bought|we|i've|ive|已有|我的|我有)$/;
const CANDIDATE =
  /^(buy|buying|get|getting|purchase|purchasing|considering|consider|upgrade|upgrading|switch|thinking|plan|planning|want|would|should|or|vs|versus|instead|new|choose|pick)$/;

/** A change of machine already made: "switched", "updated my GPU", "after upgrading", "since switching". */
const DONE_SWITCH = /^(upgraded|updated|switched|moved|went|changed|migrated|swapped)$/;
const DONE_AFTER = /^(after|since)$/;

/** Someone else's change ("my friend upgraded from a 3090"): not the asker's machines. */
const SOMEONE_ELSE =
  /^(he|she|they|friend|friends|brother|colleague|coworker|someone|somebody|people|user|users|guy|guys)$/;

/** Whether "from" or "to" at `at` follows, in its clause, a change the asker already made ("I switched from"). */
function completedSwitch(tokens: Token[], at: number): boolean {
  if (!/^(from|to)$/.test(tokens[at]!.t)) return false;
  for (let j = at - 1; j >= 0 && j >= at - 8; j--) {
    if (tokens[j + 1]!.afterBreak) break;
    const t = tokens[j]!.t;
    if (DONE_SWITCH.test(t)) return !SOMEONE_ELSE.test(tokens[j - 1]?.t ?? '');
    if (/^(upgrading|switching|moving|changing)$/.test(t)) return DONE_AFTER.test(tokens[j - 1]?.t ?? '');
  }
  return false;
}

/** "My friend upgraded from", "he switched to": a change someone else made. */
function othersSwitch(tokens: Token[], at: number): boolean {
  for (let j = at - 1; j >= 0 && j >= at - 8; j--) {
    if (tokens[j + 1]!.afterBreak) return false;
    if (/^(upgrad\w*|switch\w*|mov\w*|chang\w*|went)$/.test(tokens[j]!.t))
      return SOMEONE_ELSE.test(tokens[j - 1]?.t ?? '');
  }
  return false;
}

/** The machine right after the "from" of a change the asker made: what they switched away from. */
function leftBehind(tokens: Token[], start: number): boolean {
  for (let i = start - 1; i >= 0 && i >= start - 3; i--) {
    if (tokens[i + 1]!.afterBreak) return false;
    if (tokens[i]!.t === 'from') return completedSwitch(tokens, i);
    if (!/^(a|an|the|my|our|old|rtx|gtx|nvidia|geforce|amd|radeon)$/.test(tokens[i]!.t)) return false;
  }
  return false;
}

/** "I have a 3090" -> current; "should I buy a 5090" -> candidate; nothing said -> null. */
function roleBefore(tokens: Token[], start: number): MachineRole {
  // "I don't have an A100", "我没有A100": named, but not owned.
  if (
    NEGATED.test(
      tokens
        .slice(Math.max(0, start - 4), start)
        .map((t) => t.t)
        .join(' '),
    )
  )
    return null;
  for (let i = start - 1; i >= 0 && i >= start - 6; i--) {
    const t = tokens[i]!.t;
    // A clause ends at punctuation: "I have a 3090, is a 5090 worth it" owns only the 3090.
    if (tokens[i + 1]!.afterBreak) break;
    // "I switched from a 4090 to a 5090", "after upgrading my GPU from a 2080 to a 3090": done, so
    // to is what one has now, and from is what one had.
    const done = completedSwitch(tokens, i);
    if (done && t === 'to') return 'current';
    if (done && t === 'from') return null;
    // "My friend upgraded from a 3090 to a 4090": someone else's machines, neither owned.
    if ((t === 'to' || t === 'from') && othersSwitch(tokens, i)) return null;
    // "upgrade from a 3090 to a 5090": from is what one has, to is what one would get.
    if (
      t === 'to' &&
      tokens.slice(Math.max(0, i - 8), i).some((x) => /^(upgrad\w*|switch\w*|mov\w*|go\w*|chang\w*)$/.test(x.t))
    )
      return 'candidate';
    if (
      t === 'from' &&
      /^(upgrad\w*|switch\w*|mov\w*|go\w*|chang\w*)$/.test(tokens[i - 1]?.t ?? tokens[i - 2]?.t ?? '')
    )
      return 'current';
    if (CURRENT.test(t)) return 'current';
    if (CANDIDATE.test(t)) return 'candidate';
  }
  return null;
}

/** "2 nodes", "three servers", 两台机器: how many machines a cluster has. */
const NODES =
  /\b(\d{1,2}|two|three|four|five|six|eight)\s+(?:nodes|machines|servers|hosts)\b|([2-9一二两三四五六八]|\d{1,2})\s*(?:台|个节点|个机器|个服务器)(?:机器|服务器|节点)?/i;
const NODE_WORDS: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  eight: 8,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  八: 8,
};
/**
 * "2 nodes with 8x H100 each", "两台机器，每台8张H100": a count of cards said per machine, times the
 * machines. (Without "each", 每台 or "per node", a count is the whole cluster's.)
 */
function perNode(text: string, tokens: Token[], mentions: MachineMention[]): void {
  const nodes = NODES.exec(text);
  if (!nodes) return;
  const said = nodes[1] ?? nodes[2]!;
  const n = NODE_WORDS[said.toLowerCase()] ?? Number(said);
  if (!(n >= 2 && n <= 16)) return;
  for (const m of mentions) {
    if (!m.counted || m.gpus < 2) continue;
    const after = wordsFrom(tokens, m.end, 3);
    const before = tokens
      .slice(Math.max(0, m.start - 4), m.start)
      .map((t) => t.t)
      .join('');
    if (/^(each|per (node|machine|server|host))\b/.test(after) || /每(台|个节点|个机器|个服务器|节点)/.test(before))
      m.gpus = Math.min(128, m.gpus * n);
  }
}

/** Words right before a machine that say one has none of it (it is named, as a yardstick, not owned). */
const NEGATED =
  /(\b(don t|do not|doesn t|does not|didn t|never) (have|own|got|has)( a| an| any)?|\bno access to( a| an| any)?|没 有)$/;
/** Comparatives that make "than" a bound ("a GPU weaker than a H100"), not a choice ("rather a GPU than a Mac"). */
const COMPARATIVE =
  /^(weaker|slower|better|faster|cheaper|smaller|bigger|larger|less|more|stronger|worse|lower|higher|newer|older|powerful)$/;
/** What others measured on a machine: "A100 benchmarks show", "H100 results say". */
const MEASURED = /^(benchmarks?|results?|numbers|scores?)$/;
const REPORTS =
  /^(show|shows|showed|shown|say|says|said|give|gives|gave|report|reports|reported|get|gets|got|reach|reaches|hit|hits)$/;
/** Words that put a machine as a scale ("like having a 5090", "costs as much as 4 P40s", "the equivalent of an A100"). */
const SCALE = /\b(like having|as if (i|we|you) (had|have)|equivalent (to|of)|as much as|the price of)( \w+){0,2}$/;
/** Words that make a count of a card what a task or a document asks for ("minimum 2x4090", "the docs say 2xH100"). */
const REQUIRED =
  /\b(minimum|min|least|requires?|required|requirement|recommends?|recommended|document|documentation|docs|readme)\b/;

/**
 * A machine named only as a yardstick, beside one the asker has or weighs, is no machine of the
 * question: a bound on another ("a GPU below a H100 (like a T4)"), a figure others measured ("A100
 * benchmarks show ~1200 tok/s" from an MI210 owner), a scale ("like having a 5090", "costs as much
 * as 4 P40s"), or the same card said again as a requirement ("I have 1 4090 ... the docs say
 * minimum 2x4090"). Dropped only while another machine stays.
 */
function dropYardsticks(tokens: Token[], mentions: MachineMention[]): void {
  const words = (from: number, to: number) =>
    tokens
      .slice(Math.max(0, from), Math.max(0, to))
      .map((t) => t.t)
      .join(' ');
  // The words before a mention, back to the clause's start (at most n), without its article.
  const before = (m: MachineMention, n: number) => {
    let from = m.start;
    while (from > 0 && from > m.start - n && !tokens[from]!.afterBreak) from--;
    if (tokens[from]?.afterBreak && from < m.start) from++;
    return words(from, m.start).replace(/ (a|an|the)$/, '');
  };
  const yardstick = (m: MachineMention) => {
    if (m.role === 'current') return false;
    const b = before(m, 8);
    const bound = /\b(gpus?|cards?|anything|something|one) (\w+ )?(below|above|under|beneath|beyond|(\w+) than)$/.exec(
      b,
    );
    if (bound && (!bound[4] || COMPARATIVE.test(bound[4]))) return true;
    if (SCALE.test(b)) return true;
    const after = tokens.slice(m.end, m.end + 3).map((t) => t.t);
    if (MEASURED.test(after[0] ?? '') && REPORTS.test(after[1] ?? '')) return true;
    return (
      REQUIRED.test(before(m, 10)) &&
      mentions.some(
        (o) => o !== m && o.chip.id === m.chip.id && o.gpus !== m.gpus && m.counted && !REQUIRED.test(before(o, 10)),
      )
    );
  };
  const drop = mentions.filter(yardstick);
  if (drop.length === 0 || drop.length === mentions.length) return;
  for (const m of drop) mentions.splice(mentions.indexOf(m), 1);
}

/** "+ 48GB RAM", "64GB DDR5", "RAM: 128GB", "内存640GB" anywhere: the host RAM of the first card without one. */
function assignHostRam(tokens: Token[], mentions: MachineMention[]): void {
  const target =
    mentions.find((m) => isDiscrete(m.chip) && m.hostRamGB === null) ??
    mentions.find((m) => m.chip.kind === 'cpu' && m.hostRamGB === null);
  if (!target) return;
  for (let i = 0; i < tokens.length; i++) {
    if (mentions.some((m) => i >= m.start && i < m.end)) continue;
    const s = sizeAt(tokens, i);
    if (!s) continue;
    if (!RAM_AFTER.test(wordsFrom(tokens, s.next, 3)) && !ramBefore(tokens, i)) continue;
    const gb = s.gb * sticks(tokens, i, s.next);
    if (target.chip.kind === 'cpu') target.memoryGB = gb;
    target.hostRamGB = gb;
    return;
  }
  // "a 2060 Super 8GB and 16 RAM": a RAM size said without its unit, when none is said with one
  // (never "16 RAM slots", "12 RAM channels").
  for (let i = 0; i < tokens.length; i++) {
    const n = Number(tokens[i]!.t);
    if (
      tokens[i + 1]?.t === 'ram' &&
      tokens[i]!.last &&
      RAM_SIZES.includes(n) &&
      !/^(slots?|channels?|sticks?|dimms?|modules?|banks?)$/.test(tokens[i + 2]?.t ?? '')
    ) {
      if (target.chip.kind === 'cpu') target.memoryGB = n;
      target.hostRamGB = n;
      return;
    }
  }
}

/** The sizes RAM is sold in, to read one said without its unit ("16 RAM"). */
/**
 * Whether a size can be this card's memory: cards are sold in whole gigabytes (and the odd 1.5 GB of
 * 2010-2015), and a driver shows a little under what was sold ("44.5GB visible" on a 48 GB L40S);
 * "5.3 gb of vram" on an 8 GB card is an amount in use.
 */
const isCapacity = (gb: number, chip: ChipRecord) =>
  Number.isInteger(gb) || gb === 1.5 || chip.variants.some((v) => gb < v.memoryGB && gb >= 0.9 * v.memoryGB);

const RAM_SIZES = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024];
/** Words after a size that make it system RAM: "RAM", "DDR5", "of system ram", "of host RAM", "physical memory", "内存". */
const RAM_AFTER =
  /^((的 )?内|(of )?((physical|system|host|main|normal|typical|tipical|regular|ordinary|cpu) )?(ram|ddr\d?|dram|lpddr\d?|sysram)|(of )?(physical|system|host|main) memory|of memory)( |$)/;
/** Words after a size that can only mean the host's RAM: "of system RAM", "DDR5", "内存". */
const HOST_RAM_AFTER =
  /^((的 )?内 存|(of )?((physical|system|host|main) (ram|memory)|ddr\d?|dram|lpddr\d?|sysram))( |$)/;
/** Words after a size that make it an amount in use, not a capacity: "92GB are consumed", "4GB free". */
const USED_AFTER =
  /^((are|is|was|were|being|get|gets) )?(used|consumed|free|left|remaining|occupied|allocated|in use)( |$)/;
/** Words before a size that make it what something uses: "only uses 14gb of vram out of 24gb". */
const USAGE_BEFORE =
  /\b(uses|used|consumes|consumed|consuming|takes|taking|occupies|occupying|eats|eating|swap|swapping)$/;
/** Words after a size that make it a file's: "an 8gb model", "a 16gb gguf", "12gb quant of qwen". */
const FILE_AFTER = /^(models?|files?|gguf|ggufs|quants?|quantization|weights|checkpoints?|download|version|variant)\b/;
/** Words before a size that make it the sum of several cards: "(total 48 GB VRAM)". */
const TOTAL_BEFORE = /^(total|totaling|totalling|combined|overall|altogether)$/;
/** Words after a size that make it the sum of several cards: "(144GB total)", "48GB combined VRAM". */
const TOTAL_AFTER =
  /^(total|in total|combined|aggregate|altogether)\b(?! (of )?(ram|memory|system|ddr\d?|dram|sysram|host)\b)/;
const wordsFrom = (tokens: Token[], i: number, n: number) =>
  tokens
    .slice(Math.max(0, i), Math.max(0, i + n))
    .map((t) => t.t)
    .join(' ');

/** "RAM: 32GB * 2", "2x32GB DDR5": the size of one stick times the sticks (2 to 8). */
function sticks(tokens: Token[], i: number, next: number): number {
  const times = (t: Token | undefined) => !!t && /^(x|\*|×)$/.test(t.t);
  const n = (t: Token | undefined) => (t && /^[2-8]$/.test(t.t) ? Number(t.t) : 0);
  if (times(tokens[next]) && n(tokens[next + 1])) return n(tokens[next + 1]);
  if (times(tokens[i - 1]) && n(tokens[i - 2])) return n(tokens[i - 2]);
  // "32Gx16条", "48GBx2": the x glued to the unit; a server board takes up to 16.
  const many = gluedTimes(tokens, i, next);
  if (many >= 2 && many <= 16) return many;
  // "16GB DDR4 3200MHz (x2)": the count after the kit's type and data rate.
  let k = next;
  while (
    k < next + 4 &&
    tokens[k] &&
    !tokens[k]!.afterBreak &&
    (/^(ddr\d?|lpddr\d?|\d|mhz|mt|mts|s|cl\d+)$/.test(tokens[k]!.t) || DDR_SPEEDS.has(Number(tokens[k]!.t)))
  )
    k++;
  if (k > next && tokens[k] && !tokens[k]!.afterBreak && times(tokens[k]) && n(tokens[k + 1])) return n(tokens[k + 1]);
  return 1;
}

/** One mention per machine: the same chip said twice is one machine, with what each mention told. */
function dedupe(mentions: MachineMention[], tokens: Token[]): MachineMention[] {
  const out: MachineMention[] = [];
  const words = (x: MachineMention) =>
    tokens
      .slice(x.start, x.end)
      .map((t) => t.t)
      .filter((t) => !/^\d+(\.\d+)?$|^(gb|g|x)$/.test(t));
  // "on H100 ... on H100 PCIe 80GB": a data-centre card said again with its form (PCIe, SXM, NVL) is
  // the same card; the bare name only took the usual form.
  const sameCard = (o: MachineMention, m: MachineMention) => {
    if (o.chip.id === m.chip.id) return true;
    if (o.chip.kind !== 'datacenter-gpu' || m.chip.kind !== 'datacenter-gpu') return false;
    const [a, b] = [words(o), words(m)];
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    return short.length > 0 && short.length < long.length && short.every((w, i) => long[i] === w);
  };
  for (const m of mentions) {
    // "add one more 5070 Ti": the same card again is another machine to buy, not the same mention.
    const another = m.another;
    const same = another
      ? undefined
      : out.find(
          (o) =>
            sameCard(o, m) &&
            // a MacBook Pro and a Mac Studio with the same chip are two machines
            (o.form === null || m.form === null || o.form === m.form) &&
            (o.memoryGB === null || m.memoryGB === null || o.memoryGB === m.memoryGB) &&
            (o.gpus === m.gpus || !o.counted || !m.counted),
        );
    if (!same) {
      out.push(m);
      continue;
    }
    // The form said takes the place of the one assumed.
    if (same.chip.id !== m.chip.id && words(m).length > words(same).length) same.chip = m.chip;
    same.memoryGB ??= m.memoryGB;
    same.hostRamGB ??= m.hostRamGB;
    // The first count said wins ("1 RTX 4090 ... the docs say 2x4090"); an unsaid one yields.
    if (!same.counted && m.counted) same.gpus = m.gpus;
    same.counted ||= !!m.counted;
    same.form ??= m.form;
    same.role ??= m.role;
  }
  return out;
}

/** Tokens with one-letter typos of machine words mended ("m3 utra" -> "m3 ultra"). */
function mendTypos(tokens: Token[], vocabulary: Set<string>, typos: TypoIndex): Token[] {
  // Copied only when a typo is found: most questions have none, and the tokens are shared.
  let out: Token[] | undefined;
  tokens.forEach((tok, i) => {
    // "Jetson AGX Orion": NVIDIA's Orin, spelled as the constellation (Orin has too few letters to mend).
    if (tok.t === 'orion' && [tokens[i - 1], tokens[i + 1]].some((t) => t && /^(jetson|agx|nano|nx)$/.test(t.t))) {
      (out ??= [...tokens])[i] = { ...tok, t: 'orin' };
      return;
    }
    if (tok.t.length < 4 || vocabulary.has(tok.t) || !/^[a-z]+$/.test(tok.t)) return;
    const w = typos.mend(tok.t);
    if (w) (out ??= [...tokens])[i] = { ...tok, t: w };
  });
  return out ?? tokens;
}

/** Every unified-memory size an Apple chip shipped with. */
export const appleMemorySizes = perCatalog(
  (catalog): ReadonlySet<number> =>
    new Set(
      catalog.chips
        .filter((c) => c.vendor === 'apple' && !c.id.startsWith('generic-'))
        .flatMap((c) => c.variants.map((v) => v.memoryGB)),
    ),
);

/** "Mac Studio 192G", "512 GB Mac Studio": a size said without its unit right next to a Mac. */
function macSize(catalog: Catalog, tokens: Token[], s: Span): { gb: number; at: number } | undefined {
  const sizes = appleMemorySizes(catalog);
  for (const at of [s.end, s.start - 1]) {
    const t = tokens[at];
    if (t && /^\d+$/.test(t.t) && sizes.has(Number(t.t))) return { gb: Number(t.t), at };
  }
  return undefined;
}

/** The one Apple chip sold with this memory in this form (192 GB Mac Studio: M2 Ultra), if only one was. */
function onlyChipWith(catalog: Catalog, gb: number, form: AppleForm | null): ChipRecord | undefined {
  const chips = catalog.chips.filter(
    (c) =>
      c.vendor === 'apple' &&
      !c.id.startsWith('generic-') &&
      c.variants.some((v) => v.memoryGB === gb) &&
      (!form || c.forms?.includes(form)),
  );
  return chips.length === 1 ? chips[0] : undefined;
}

/**
 * A CPU host named by its processor when no GPU or Mac is ("12*2 Intel Xeon Silver 4214R with 64 GB
 * of RAM", "i5-13600K, 32GB DDR5"): the model runs from system RAM. Server processors get the
 * server memory system, desktop ones dual-channel DDR5.
 */
function cpuHost(catalog: Catalog, tokens: Token[]): MachineMention | undefined {
  const words = tokens.map((t) => t.t);
  const server = words.findIndex((t) => /^(xeon|epyc|threadripper)$/.test(t));
  const desktop = words.findIndex(
    (t, k) =>
      (/^i$/.test(t) && /^[3579]$/.test(words[k + 1] ?? '')) ||
      // "Ryzen 9 7950X", "Ryzen 5900X" (a model number alone).
      (t === 'ryzen' && /^(\d|\d{4})$/.test(words[k + 1] ?? '')),
  );
  const host = words.findIndex(
    (t, k) =>
      t === 'vps' ||
      // "8 vCPUs and 32GB": a cloud host counted in virtual cores.
      (/^vcpus?$/.test(t) && /^\d+$/.test(words[k - 1] ?? '')) ||
      (t === 'core' && /^(processor|cpu)$/.test(words[k + 1] ?? '') && /^\d+$/.test(words[k - 1] ?? '')),
  );
  const at = server >= 0 ? server : desktop >= 0 ? desktop : host;
  if (at < 0 || !words.some((t) => /^(ram|ddr\d?|ddr|memory|cpu|vcpus?)$/.test(t))) return undefined;
  const chip = catalog.chip(server >= 0 ? 'cpu-server-ddr4-8ch' : 'cpu-ddr5');
  if (!chip) return undefined;
  // "a ryzen 5 6600 and 32gb of ram": the size said after the CPU is its RAM; one called RAM
  // anywhere wins, and a disk's is none ("4 vCPU, 80 GB SSD, 8 GB RAM").
  const m = mentionAt(tokens, chip, at, at + 1, null, true);
  let ram = m.memoryGB ?? m.hostRamGB;
  const sizes: { gb: number; after: string; before: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const s = sizeAt(tokens, i);
    if (s) sizes.push({ gb: s.gb, after: wordsFrom(tokens, s.next, 3), before: wordsFrom(tokens, i - 3, 3) });
  }
  const tagged = sizes.find((s) => RAM_AFTER.test(s.after) || /^memory( |$)/.test(s.after));
  if (tagged) ram = tagged.gb;
  else if (ram !== null && sizes.some((s) => s.gb === ram && STORAGE_AFTER.test(s.after))) ram = null;
  // "Both machines had 128GB at 3600 MT/s": the one size said of a host with no GPU is its RAM,
  // unless it is a disk's, a file's, an amount used or a requirement.
  // (Said of the host: "had 128GB", "with 64GB", "128GB at 3600 MT/s"; never "the model is 40GB".)
  const plain = sizes.filter(
    (s) =>
      !STORAGE_AFTER.test(s.after) &&
      !FILE_AFTER.test(s.after) &&
      !USED_AFTER.test(s.after) &&
      !REQUIREMENT.test(s.before) &&
      !USAGE_BEFORE.test(s.before) &&
      (/\b(with|has|had|have|having|got)$/.test(s.before) || /^at \d/.test(s.after)),
  );
  if (ram === null && plain.length === 1 && plain[0]!.gb >= 4 && sizes.length === 1) ram = plain[0]!.gb;
  return { ...m, memoryGB: null, hostRamGB: ram, gpus: 1 };
}

/** Words after a size that make it storage, not memory: "80 GB SSD", "200 GB disk", "1TB NVMe". */
const STORAGE_AFTER = /^((of )?(ssd|nvme|disk|hdd|storage|drive|space|m\.?2|emmc)|free space)( |$)/;

/**
 * "My graphics card is 4060ti, can 16G run with this": a card sold in several sizes, named without
 * one, takes a size said a few words on (across one clause break, before any other machine) when
 * it is one the card was sold with and nothing calls it RAM or a requirement.
 */
function sizeSaidLater(tokens: Token[], mentions: MachineMention[]): void {
  mentions.forEach((m, k) => {
    if (m.generic || m.memoryGB !== null || !isDiscrete(m.chip) || m.chip.variants.length < 2) return;
    const until = Math.min(tokens.length, m.end + 8, mentions[k + 1]?.start ?? tokens.length);
    let breaks = 0;
    for (let i = m.end; i < until; i++) {
      if (tokens[i]!.afterBreak && ++breaks > 1) return;
      const s = sizeAt(tokens, i);
      if (!s) continue;
      const ram = ramBefore(tokens, i) || RAM_AFTER.test(wordsFrom(tokens, s.next, 3));
      const needed = REQUIREMENT.test(wordsFrom(tokens, i - 3, 3)) || USAGE_BEFORE.test(wordsFrom(tokens, i - 2, 2));
      // "will an 8gb model fit", "the gguf is 16gb", "a 12gb quant", "considering 12gb 3060": a file's
      // size, or the next card's.
      const file =
        FILE_AFTER.test(wordsFrom(tokens, s.next, 2)) ||
        /\b(model|file|gguf|quant|weights|checkpoint|it|is|was)$/.test(wordsFrom(tokens, i - 2, 2)) ||
        mentions.some((o) => o !== m && o.start >= s.next && o.start - s.next <= 2) ||
        (isNumber(tokens[s.next]) && tokens[s.next]!.first);
      if (!ram && !needed && !file && m.chip.variants.some((v) => v.memoryGB === s.gb)) m.memoryGB = s.gb;
      return;
    }
  });
}

/** "a 3080 10GB, a 3080 10GB", "one A4000 and one A4000": the same card listed again right after itself is one more of it. */
function sameAgain(tokens: Token[], prev: MachineMention | undefined, m: MachineMention): boolean {
  if (!prev || prev.chip.id !== m.chip.id || prev.gpus > 1 || m.gpus > 1 || prev.memoryGB !== m.memoryGB) return false;
  const between = tokens.slice(prev.end, m.start);
  return (
    between.length > 0 &&
    // "a 3090, a 3090 or a 4090" weighs one against another.
    !/^(or|vs|versus)$/.test(tokens[m.end]?.t ?? '') &&
    between.every((t) => /^(and|a|an|one|plus)$/.test(t.t)) &&
    (between[0]!.afterBreak || between.some((t) => /^(and|plus)$/.test(t.t)))
  );
}

/** "too large for 3x24 GB", "on 4 x 80GB": a count times a size, not RAM sticks, is that many cards of that size. */
function countedCards(catalog: Catalog, tokens: Token[]): MachineMention | undefined {
  const gpu = catalog.chip('generic-gpu');
  if (!gpu) return undefined;
  for (let i = 2; i < tokens.length; i++) {
    const s = sizeAt(tokens, i);
    const n = Number(tokens[i - 2]!.t);
    if (!s || !/^(x|×|\*)$/.test(tokens[i - 1]!.t) || !/^\d{1,2}$/.test(tokens[i - 2]!.t) || n < 2 || n > 16) continue;
    if (s.gb > 192 || RAM_AFTER.test(wordsFrom(tokens, s.next, 3)) || REQUIREMENT.test(wordsFrom(tokens, i - 5, 3)))
      continue;
    return { ...mentionAt(tokens, gpu, i, s.next, null, true), memoryGB: s.gb, gpus: n, counted: true };
  }
  return undefined;
}

/**
 * A size asked about rather than had: a requirement after it ("is 32GB VRAM needed", "is 48GB of VRAM
 * sufficient"), a question of how much ("how much RAM (340GB or 3TB)"), or the result of a sum
 * ("7 x 4 x 4 = 112 GB").
 */
function asked(text: string, tokens: Token[], at: number, end: number): boolean {
  return (
    /\b(needed|required|requirement|recommended|minimum|sufficient|necessary)\b/.test(wordsFrom(tokens, end, 3)) ||
    /\bhow much\b/.test(wordsFrom(tokens, at - 5, 5)) ||
    /=\s*$/.test(text.slice(tokens[at - 1]?.end ?? 0, tokens[at]!.start))
  );
}

/**
 * "Isn't 48 GB of RAM enough", "32GB of physical memory", "my machine has 16Go": no machine is named,
 * but the memory one has is; that is a CPU host with that RAM. A size asked for ("needs 64GB of
 * RAM", "= 112 GB", "is 32GB RAM required") is no machine.
 */
function ramOnlyHost(catalog: Catalog, text: string, tokens: Token[]): MachineMention | undefined {
  const cpu = catalog.chip('cpu-ddr5');
  if (!cpu) return undefined;
  for (let i = 0; i < tokens.length; i++) {
    const s = sizeAt(tokens, i);
    if (!s) continue;
    const after = wordsFrom(tokens, s.next, 3);
    const before = wordsFrom(tokens, i - 3, 3);
    const ram =
      // "48 GB of memory" alone may be a card's.
      (RAM_AFTER.test(after) && !after.startsWith('of memory')) ||
      /\b(machine|computer|pc|laptop|desktop|server) (has|with)$/.test(before) ||
      ramBefore(tokens, i);
    const gb = s.gb * sticks(tokens, i, s.next);
    if (ram && !REQUIREMENT.test(before) && !asked(text, tokens, i, s.next))
      return { ...mentionAt(tokens, cpu, i, s.next, null, true), memoryGB: gb, hostRamGB: gb, gpus: 1 };
  }
  return undefined;
}

/** A Mac or unified box named without its memory takes the RAM the text states ("256 GB of RAM on the Mac"). */
function unifiedMemoryFromText(tokens: Token[], mentions: MachineMention[]): void {
  const open = mentions.filter((m) => !isDiscrete(m.chip) && m.chip.kind !== 'cpu' && m.memoryGB === null);
  if (open.length !== 1) return;
  for (let i = 0; i < tokens.length; i++) {
    if (mentions.some((m) => i >= m.start && i < m.end)) continue;
    const s = sizeAt(tokens, i);
    if (!s) continue;
    const after = `${tokens[s.next]?.t ?? ''} ${tokens[s.next + 1]?.t ?? ''}`;
    if (/^(ram|memory|unified|of (ram|memory|unified))\b|^内/.test(after) || ramBefore(tokens, i)) {
      open[0]!.memoryGB = s.gb;
      return;
    }
  }
}

/** "2 L40s which provide 96GB VRAM": a total over the cards, not each card's memory. */
function perCard(m: MachineMention, tokens: Token[], text: string): void {
  const mem = m.memoryGB;
  if (m.gpus < 2 || mem === null || m.chip.variants.some((v) => v.memoryGB === mem)) return;
  if (KNOWN_MODS[m.chip.id]?.includes(mem) && moddedEach(m, tokens, text, mem)) return;
  if (m.chip.variants.some((v) => v.memoryGB * m.gpus === mem)) m.memoryGB = mem / m.gpus;
}

/** A total said in words: "44GB total", 一共48G, 总显存48G, "combined". */
const TOTAL_WORDS = /\b(total|combined|altogether|in all)\b|总|共|合计|加起来/i;

/**
 * Whether a size people mod the card to is each card's, where it could be the cards' sum
 * ("2x 2080ti 22g": two 11 GB cards, or two modded 22 GB ones). Each card's when the card is said
 * modded (modded, 魔改) right by it, when the count comes after the size ("2080ti 22g 双卡", "3090
 * 24GB x2"), or when a stated total is the size times the count ("两张2080ti 22GB的gpu总计44GB");
 * never when the size itself is called a total (一共48G, "48GB combined"). Otherwise the sum, as
 * before.
 */
function moddedEach(m: MachineMention, tokens: Token[], text: string, mem: number): boolean {
  const stated =
    /(\d+)\s*g(?:b|ib)?\s*(?:total|combined|in total)\b|(?:总计|总共|一共|合计|total(?: of)?)\s*(\d+)\s*g/i.exec(text);
  if (stated !== null && Number(stated[1] ?? stated[2]) === mem * m.gpus) return true;
  const around = tokens.slice(Math.max(0, m.start - 3), Math.min(tokens.length, m.end + 3));
  const near = wordsFrom(tokens, m.start - 3, m.end - m.start + 6);
  if (TOTAL_WORDS.test(wordsFrom(tokens, m.start - 2, m.end - m.start + 3))) return false;
  // (魔改 is two tokens; 改 alone is any change: 修改了配置.)
  if (around.some((t) => t.t === 'modded') || /魔 改/.test(near)) return true;
  const after = tokens.slice(m.end, m.end + 3);
  return after.length >= 2 && isNumber(after[0]) && /^(张|块|卡|cards?|gpus?)$/.test(after[1]!.t);
}

/** A chip of the same vendor whose name holds every word typed and that shipped with this memory. */
function siblingWith(catalog: Catalog, words: string[], chip: ChipRecord, memoryGB: number): ChipRecord | undefined {
  const typed = words.filter((w) => !VENDOR_WORDS.includes(w));
  const found = catalog.chips.filter(
    (c) =>
      c.vendor === chip.vendor &&
      c.kind === chip.kind &&
      c.variants.some((v) => v.memoryGB === memoryGB) &&
      [c.name, c.shortName, ...c.aliases].some((n) => {
        const have = nameTokens(n);
        return typed.every((w) => have.includes(w));
      }),
  );
  return found.length === 1 ? found[0] : undefined;
}
