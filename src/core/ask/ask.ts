/**
 * A question in free text to an answer: the machines it names (machines-text.ts), the model
 * (models-text.ts), the rest of its phrases (the understand rules: quant, context, workflow,
 * priority, prices), the intent (intent.ts); then an ask-back when a guess would change the answer,
 * or the verdict the intent calls for. Never throws.
 */
import { DEFAULT_DEVICE_IDS, type Catalog, type CatalogModel } from '../catalog/catalog.js';
import { isDiscrete, splitMachineId } from '../catalog/machines.js';
import type { CompareInput } from '../query/query.js';
import { extractQuant, resolveQuant } from '../query/resolve.js';
import { understand } from '../query/understand.js';
import { compare } from '../verdict/compare.js';
import { ok, type Result } from '../result.js';
import type { ModelMatch } from '../query/resolve.js';
import type { Verdict } from '../verdict/types.js';
import { focusHeadline, planHeadline, videoHeadline } from '../verdict/words.js';
import { nameTokens } from './words.js';
import { readIntent } from './intent.js';
import { learnedMatch, type LearnedModel } from '../catalog/learned.js';
import { plan, PLAN_WORKFLOWS, type PlanWorkflow } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { readKvCache } from './kv-cache.js';
import { readPastedLog } from './pasted-log.js';
import { appleMemorySizes, deviceOfMention, readMachines, type MachineMention } from './machines-text.js';
import { readModel, type ModelFound } from './models-text.js';
import type { AskAnswer, AskReading, Clarify, Intent, MachineReading } from './types.js';

/**
 * A question is read up to this many characters: the message command hands over whole messages,
 * where the question often comes last; an ask-back choice adds a few words and must stay under
 * Slack's 2,000-character button value.
 */
export const MAX_QUESTION_LENGTH = 1900;

/** What reading a question settles, before any verdict is computed. */
export interface ReadQuestion {
  text: string;
  reading: AskReading;
  /** The ask-back, when a guess would change the answer. */
  clarify: Clarify | null;
  mentions: MachineMention[];
  model: ModelFound | null;
  /** What the other phrases said (quant, context, workflow, priority, prices). */
  said: CompareInput;
}

/**
 * Reads a question: machines, model, phrases, intent, and whether to ask back. This is the
 * understanding `npm run bench` times; `ask` adds the verdict.
 */
export function readQuestion(catalog: Catalog, rawText: string): ReadQuestion {
  const text = rawText.slice(0, MAX_QUESTION_LENGTH).replace(/\s+/g, ' ');
  let mentions = readMachines(catalog, text);
  let spans = mentions.map((m): [number, number] => [m.startChar, m.endChar]);
  // A pasted llama.cpp log names the model that ran; its identifiers are not model names.
  const log = readPastedLog(text);
  // "q8 kv cache" is how the cache is stored, not the weights' quant.
  const kv = readKvCache(text);
  const aside = [...log.spans, ...(kv?.spans ?? [])];
  const model = (log.name ? readModel(catalog, log.name) : null) ?? readModel(catalog, blank(text, aside), spans);
  // A chip name inside a model's name ("MiniMax M2", "Kimi K2") is the model's, not a machine.
  const named = model ? modelSpans(text, model) : [];
  if (named.length) {
    mentions = mentions.filter((m) => !named.some(([a, b]) => m.startChar >= a && m.startChar < b));
    spans = mentions.map((m): [number, number] => [m.startChar, m.endChar]);
  }
  const rest = blank(text, [...spans, ...aside, ...named]);
  const u = understand(catalog, rest, { phrasesOnly: true, maxLength: MAX_QUESTION_LENGTH });
  const said: CompareInput = { ...(u.ok ? u.value.input : {}) };
  delete said.model;
  delete said.device;
  delete said.against;
  // The quant a pasted log ran is the one the question is about.
  if (log.quant) said.quant = log.quant;
  const notes = u.ok ? [...u.value.notes] : [];
  // llama.cpp's cache types are sized; another (vLLM's fp8) is said, and answered with f16.
  if (kv && (kv.type === 'q8_0' || kv.type === 'q4_0' || kv.type === 'f16')) said.kvCache = kv.type;
  else if (kv) notes.push(`a ${kv.type} KV cache is not modelled: memory and speed assume the default f16 cache`);
  // No Mac shipped with 1 TB: a Mac size no Apple chip had becomes the nearest one that did, said.
  const macMemory = [...appleMemorySizes(catalog)];
  for (const m of mentions)
    if (m.chip.vendor === 'apple' && m.memoryGB !== null && macMemory.length && !macMemory.includes(m.memoryGB)) {
      const said = m.memoryGB;
      const nearest = [...macMemory].sort((a, b) => Math.abs(Math.log(a / said)) - Math.abs(Math.log(b / said)))[0]!;
      notes.push(`no Mac shipped with ${said} GB; answered for ${nearest} GB, the nearest size one did`);
      m.memoryGB = nearest;
    }
  // A machine composes at most 16 cards; more is said, not silently dropped.
  for (const m of mentions)
    if (m.gpus > 16) {
      notes.push(`counted ${m.gpus} ${m.chip.shortName} as 16, the most one machine here holds (layer split)`);
      m.gpus = 16;
    }
  // A bin that shipped in one size only ("M4 Max 32-core" is 36 GB) fixes the memory.
  for (const m of mentions) {
    const only = m.chip.vendor === 'apple' && m.memoryGB === null ? binSizes(text, m) : undefined;
    if (only?.length === 1) m.memoryGB = only[0]!;
  }
  const devices = mentions.map((m) => readingOf(catalog, m));
  // "512x512, 20 steps": an image's size or steps said without the word is image generation, unless
  // an LLM is asked about or the size is a screen's ("I game at 2560x1440").
  if (
    said.workflow === undefined &&
    (said.imageResolution !== undefined || said.imageSteps !== undefined) &&
    model?.reading.kind !== 'llm' &&
    !SCREEN.test(text)
  )
    said.workflow = 'image';
  const kind = model?.reading.kind === 'image' ? 'image' : model?.reading.kind === 'video' ? 'video' : undefined;
  // A coder model is asked about for coding; a video model stays video whatever image words come
  // with it ("ComfyUI", "diffusion").
  const coder = model?.reading.kind === 'llm' && CODER.test(model.reading.name) ? 'coding' : undefined;
  const workflow = kind === 'video' && said.workflow === 'image' ? kind : (said.workflow ?? kind ?? coder);
  if (workflow) said.workflow = workflow;
  const ordered = [...mentions].sort((a, b) => a.startChar - b.startChar);
  const gaps = ordered.slice(1).map((m, i) => text.slice(ordered[i]!.endChar, m.startChar));
  const intent = readIntent(text, devices, model !== null, gaps, mentions.filter((m) => m.former).length);
  // In a comparison or an upgrade, a machine nobody said they own is a candidate.
  // (Not the one switched away from: "I switched from a 3090 to a 4090. Is a 5090 worth it?")
  if (intent === 'compare' || intent === 'upgrade')
    devices.forEach((d, k) => {
      if (!mentions[k]!.former) d.role ??= 'candidate';
    });
  const reading: AskReading = {
    intent,
    model: model?.reading ?? null,
    // The quant in the model's own name or file ("gemma-4-31B-it-IQ4_XS.gguf") is the weights'; one
    // said elsewhere may be another file's ("the BF16 mmproj").
    // ... unless another is asked for instead ("I have the q4_k_m gguf but want to try Q8_0").
    quant:
      quantWanted(catalog, text) ??
      fileQuant(catalog, text, model?.typed) ??
      model?.match?.quant?.id ??
      (model ? extractQuant(catalog, model.typed.toLowerCase()).quant?.id : undefined) ??
      said.quant ??
      null,
    contextTokens: said.contextTokens ?? null,
    workflow: workflow ?? null,
    // "How fast is it?" asks for speed, and "it's slow, can it run faster?" (fit, help) reports it:
    // neither ranks machines by it. Speed is a priority only in a choice (compare, upgrade, plan);
    // the corpus labels no fit or help question with it, two machines named or not.
    priority:
      said.priority === 'speed' && (intent === 'speed' || intent === 'fit' || intent === 'help')
        ? null
        : (said.priority ?? null),
    devices,
    input: {},
    notes,
  };
  if (model?.mended) notes.push(`read "${model.typed}" as ${model.reading.name}`);
  // The answer runs the quant read, the model's own before one said elsewhere.
  if (reading.quant !== null && said.quant !== reading.quant) said.quant = reading.quant;
  const bare = intent === 'help' && devices.length === 0 && !model;
  const clarify = bare ? null : askBack(catalog, text, reading, mentions, model);
  return { text, reading, clarify, mentions, model, said };
}

/** A learned model in the shape of a model read from the text, its basis carried to the verdict. */
function learnedFound(catalog: Catalog, learned: LearnedModel, typed: ModelFound | null): ModelFound {
  const { model, basis } = learned;
  return {
    reading: { id: model.id, name: model.name, kind: 'llm', source: basis.source },
    reference: basis.ref,
    match: learnedMatch(catalog, learned),
    typed: typed?.typed ?? basis.ref,
  };
}

/** The plan a reading asks for: its machines (the owned one as current), workflow and context. */
function planFor(catalog: Catalog, reading: AskReading): Plan | undefined {
  // The planner ranks LLMs, image and video models and fine-tuning runs: a training-from-scratch
  // question is answered by the verdict, never with a chat plan nobody asked for; serving is planned as chat.
  if (reading.workflow === 'training') return undefined;
  const current = reading.devices.find((d) => d.role === 'current');
  const others = reading.devices.filter((d) => d !== current).map((d) => d.id);
  const workflow: PlanWorkflow =
    reading.workflow && (PLAN_WORKFLOWS as readonly string[]).includes(reading.workflow)
      ? (reading.workflow as PlanWorkflow)
      : 'chat';
  const p = plan(catalog, {
    ...(current && reading.intent === 'upgrade' ? { current: current.id } : {}),
    ...(reading.devices.length
      ? { devices: current && reading.intent === 'upgrade' ? others : reading.devices.map((d) => d.id) }
      : {}),
    workflow,
    ...(reading.contextTokens ? { contextTokens: Math.min(reading.contextTokens, 1_048_576) } : {}),
  });
  return p.ok ? p.value : undefined;
}

/** Sizes that are a screen's, not an image's to generate. */
const SCREEN = /\b(monitors?|screens?|screenshots?|displays?|gam(e|es|ing)|desktop resolution)\b/i;
/** A word that may be a quant, after a verb of choosing or before "instead" (matchAll copies the regex). */
const QUANT_WORD = String.raw`([a-z0-9][\w.-]{1,12})`;
const WANTED_QUANT = [
  new RegExp(
    String.raw`\b(?:try(?:ing)?|use|using|switch(?:ing)? to|want(?: to try)?|go(?:ing)? with|swap(?:ping)? to|move to) (?:the |a |an )?${QUANT_WORD}`,
    'gi',
  ),
  new RegExp(String.raw`\b${QUANT_WORD} instead\b(?! of)`, 'gi'),
];
/**
 * The quant of a model file named in the text ("wizardLM-13B.ggmlv3.q4_0.bin", "x-Q4_K_L.gguf"),
 * read from the file name whole: the model reader may end the name inside it ("...q4").
 */
const MODEL_FILE = /(?<![\w.+-])[\w.+-]+\.(?:gguf|bin|ggml)\b/gi;
function fileQuant(catalog: Catalog, text: string, typed: string | undefined): string | undefined {
  // (Only where a file is named: the pattern backtracks over every long word otherwise.)
  if (!/\.(gguf|bin|ggml)\b/i.test(text)) return undefined;
  // Not a projector's, an embedding model's or a draft model's file; of several, the model's own.
  // (The same file linked and named, "[x.bin](https://.../x.bin)", is one file.)
  const files = [
    ...new Set(
      [...text.matchAll(MODEL_FILE)]
        .map((m) => m[0].toLowerCase())
        .filter((f) => !/mmproj|embed|draft|[-_.]md[-_.]/.test(f))
        .map((f) => f.slice(f.lastIndexOf('/') + 1)),
    ),
  ];
  const own = typed ? files.filter((f) => f.includes(typed.toLowerCase().split(/[\s.]/)[0]!)) : [];
  const file = files.length === 1 ? files[0] : own.length === 1 ? own[0] : undefined;
  return file ? extractQuant(catalog, file.replace(/\.(gguf|bin|ggml)$/, '')).quant?.id : undefined;
}

/**
 * A quant asked for in place of the one a file or id names: "want to try Q8_0", "switch to Q6_K",
 * "Q8_0 instead". Never the one turned down ("instead of f16", "rather than Q8"), nor a KV cache's or
 * an mmproj's ("kv cache at q8_0 instead of f16", "the BF16 mmproj").
 */
function quantWanted(catalog: Catalog, text: string): string | undefined {
  for (const re of WANTED_QUANT)
    for (const m of text.matchAll(re)) {
      const around = text.slice(Math.max(0, m.index - 24), m.index + m[0].length + 24);
      if (/\b(kv|cache|mmproj|ctk|ctv)\b/i.test(around)) continue;
      const q = resolveQuant(catalog, m[1]!);
      if (q.ok) return q.value.id;
    }
  return undefined;
}
/** Models made for code: "Qwen2.5-Coder", "Codestral", "Devstral", "StarCoder2", "CodeLlama". */
const CODER = /coder|codestral|devstral|code ?llama|codegemma|codeqwen|codegen/i;

export interface AskOptions {
  /**
   * The model the question pastes, learned from the Hub or a registry by the edge (src/lookup/)
   * because the catalog does not hold it: answered with its own shape and files.
   */
  learned?: LearnedModel;
}

/** Reads a question and answers it. */
export function ask(catalog: Catalog, rawText: string, options: AskOptions = {}): AskAnswer {
  const read = readQuestion(catalog, rawText);
  const { reading, clarify, said } = read;
  const model = options.learned ? learnedFound(catalog, options.learned, read.model) : read.model;
  if (options.learned) {
    reading.model = model!.reading;
    if (options.learned.quant && !said.quant) {
      said.quant = options.learned.quant;
      reading.quant = options.learned.quant;
    }
  }
  const { intent, devices, notes } = reading;
  const workflow = said.workflow;
  if (intent === 'help' && devices.length === 0 && !model) return { reading, answer: null, clarify: null, error: null };
  if (clarify) return { reading, answer: null, clarify, error: null };

  const pair = pairFor(catalog, intent, devices, notes);
  // Training an image or video model has no estimate yet: answer for generating with it, and say so.
  const media = model && model.reading.kind !== 'llm' ? model.reading.kind : undefined;
  if (media && workflow !== media) {
    if (workflow)
      notes.push(`${workflow} of ${media} models has no estimate yet: the figures are for ${media} generation`);
    said.workflow = media;
  }
  const input: CompareInput = {
    ...said,
    ...(said.workflow ? { workflow: said.workflow } : {}),
    ...(model && model.reading.kind === 'llm' ? { model: model.reference } : {}),
    device: pair[0],
    against: pair[1],
  };
  if (model && model.reading.kind !== 'llm')
    notes.push(
      `${model.reading.name} is a${model.reading.kind === 'image' ? 'n image' : ' video'} model: the answer is for ${model.reading.kind} generation on each machine`,
    );
  reading.input = input;
  // "What can I run on my 3090?", "I have a 3090: is a 5090 worth it?" without a model: the planner.
  const planned = !model && (intent === 'plan' || intent === 'upgrade') ? planFor(catalog, reading) : undefined;
  if (model && model.reading.id === null && model.reading.kind !== 'llm')
    notes.push(
      `the catalog has no figures for ${model.reading.name} yet: the answer is for ${model.reading.kind} generation in general`,
    );
  const failed = (message: string, hint: string): AskAnswer => ({
    reading,
    answer: null,
    clarify: null,
    error: { code: 'UNKNOWN_MODEL', message, hint },
  });
  if (model?.outside)
    return failed(
      `${model.reading.name} is a ${model.outside === 'audio' ? 'speech or audio' : 'kind of'} model whichgpu does not estimate: it sizes LLMs and image and video models.`,
      'Ask about an LLM, an image model (SDXL, FLUX) or a video model (Wan, HunyuanVideo).',
    );
  if (model && model.reading.id === null && model.reading.kind === 'llm')
    return failed(
      `I don't know ${model.reading.name} yet, so I can't size it.`,
      `Add its size, e.g. "${model.typed} 32b" (or "30b-a3b" for a mixture of experts), or paste its Hugging Face id.`,
    );
  const v = compare(catalog, input, model?.match && model.reading.kind === 'llm' ? { match: model.match } : undefined);
  if (!v.ok) return { reading, answer: null, clarify: null, error: v.error };
  return {
    reading,
    answer: focused(catalog, v.value, intent, devices, model),
    ...(planned ? { plan: planned } : {}),
    clarify: null,
    error: null,
  };
}

/**
 * Compare's structured input (CLI flags, Discord's /compare options, a follow-up's select) with the
 * model option read as a question's model is: an image or video model ("wan 2.1 14b", "flux dev")
 * is the model of that workflow, never sized as an unknown LLM, and the headline speaks of it.
 * Anything else goes to compare unchanged. `notes` say what was read.
 */
export function compareNamed(
  catalog: Catalog,
  input: CompareInput,
  resolved?: { match: ModelMatch },
): { verdict: Result<Verdict>; notes: string[] } {
  const found = !resolved && input.model ? readModel(catalog, input.model) : null;
  if (!found || found.reading.kind === 'llm') return { verdict: compare(catalog, input, resolved), notes: [] };
  const kind = found.reading.kind;
  const notes = [
    `${found.reading.name} is a${kind === 'image' ? 'n image' : ' video'} model: the answer is for ${kind} generation on each machine`,
  ];
  if (input.workflow && input.workflow !== kind)
    notes.push(`${input.workflow} of ${kind} models has no estimate yet: the figures are for ${kind} generation`);
  if (found.reading.id === null)
    notes.push(
      `the catalog has no figures for ${found.reading.name} yet: the answer is for ${kind} generation in general`,
    );
  const rest: CompareInput = { ...input, workflow: kind };
  delete rest.model;
  const v = compare(catalog, rest);
  if (!v.ok) return { verdict: v, notes };
  return { verdict: ok(focused(catalog, v.value, 'compare', [], found)), notes };
}

/**
 * The verdict with a headline about what was asked: one machine's answer for a question about one
 * machine, the video model's support for a video question (never an LLM nobody asked about).
 */
function focused(
  catalog: Catalog,
  v: Verdict,
  intent: Intent,
  devices: MachineReading[],
  model: ModelFound | null,
): Verdict {
  let headline = v.verdict.headline;
  if (intent === 'plan' && !model && v.overview && v.devices[0] && devices.length > 0)
    headline = planHeadline(v.overview, v.devices[0].shortName);
  else if (model?.reading.kind === 'video')
    headline = videoHeadline(v.devices, model.reading.name, videoWorkloadOf(catalog, model.reading.name));
  else if (
    // "What image models can I run on my 3060?": that machine's image speed, as a fit question gets.
    (intent === 'fit' ||
      intent === 'speed' ||
      intent === 'help' ||
      (intent === 'plan' && v.query.workflow === 'image')) &&
    new Set(devices.map((d) => d.id)).size === 1 &&
    v.devices[0]
  ) {
    const label =
      model?.reading.kind === 'image' ? model.reading.name : `${v.model?.name ?? ''} ${v.query.quant}`.trim();
    const media = model?.reading.kind === 'image' ? catalog.media.find((m) => m.id === model.reading.id) : undefined;
    headline = focusHeadline(v.devices[0], label, v.query, media ? (media.workload ?? '') : undefined);
  }
  return headline === v.verdict.headline ? v : { ...v, verdict: { ...v.verdict, headline } };
}

/** The video workload of workflows.json closest to a video model's name (shared words, size first). */
function videoWorkloadOf(catalog: Catalog, name: string): string | undefined {
  const words = new Set(nameTokens(name));
  // A workload measured on another size of the family is another model ("Wan 2.2 TI2V 5B" is not the 14B).
  const sizes = (n: string) => new Set(n.toLowerCase().match(/\d+(\.\d+)?b\b/g) ?? []);
  const mine = sizes(name);
  let best: { id: string; score: number } | undefined;
  for (const w of catalog.videoWorkloads()) {
    const theirs = sizes(w.name);
    if (mine.size && theirs.size && ![...mine].some((x) => theirs.has(x))) continue;
    // And one of another family is another model, whatever size it shares.
    if (!nameTokens(w.name).includes(nameTokens(name)[0] ?? '')) continue;
    const score = nameTokens(w.name).filter((t) => words.has(t)).length;
    if (score > 0 && (!best || score > best.score)) best = { id: w.id, score };
  }
  return best?.id;
}

/** A machine reading, with the catalog machine it stands for. */
function readingOf(catalog: Catalog, m: MachineMention): MachineReading {
  const device = deviceOfMention(catalog, m);
  // A card named without its memory is answered for its usual size (the first variant), and says so.
  const fixedMemory =
    !m.generic && (m.chip.variants.length === 1 || isDiscrete(m.chip)) ? m.chip.variants[0]!.memoryGB : null;
  return {
    id: device.id,
    name: device.record.name,
    memoryGB: m.memoryGB ?? fixedMemory,
    gpus: m.gpus,
    hostRamGB: m.hostRamGB,
    role: m.role,
    known: !m.generic,
  };
}

/**
 * Ask back when the answer hinges on what was not said: a Mac or unified box without its memory
 * (8 to 512 GB), a GPU known only as "a GPU", or a fit or speed question without a model.
 */
function askBack(
  catalog: Catalog,
  text: string,
  reading: AskReading,
  mentions: MachineMention[],
  model: ModelFound | null,
): Clarify | null {
  for (const m of mentions) {
    if (m.memoryGB !== null || m.chip.variants.length === 1) continue;
    if (isDiscrete(m.chip) && !m.generic) continue;
    // A Mac of a known kind is offered only the sizes that kind of Mac shipped with (no 512 GB MacBook Air).
    const sizes = [
      ...new Set(macSizes(catalog, m) ?? binSizes(text, m) ?? m.chip.variants.map((v) => v.memoryGB)),
    ].sort((a, b) => a - b);
    const pick = spread(sizes, 5);
    const what = m.generic ? (m.chip.vendor === 'apple' ? 'Mac' : 'GPU') : m.chip.shortName;
    return {
      question: `How much memory does the ${what} have? It decides what fits.`,
      // The size goes right after the machine's own words, so the answer reads it as that machine's.
      choices: pick.map((gb) => ({
        label: `${gb} GB`,
        text: `${text.slice(0, m.endChar)} ${gb}GB${text.slice(m.endChar)}`,
      })),
    };
  }
  if (model?.family) {
    const picks = spreadModels(model.family.models, 4);
    const at = text.indexOf(model.typed);
    return {
      question: `Which ${model.family.name.charAt(0).toUpperCase()}${model.family.name.slice(1)} do you mean? Size decides what fits.`,
      choices: picks.map((m) => ({
        label: m.name.slice(0, 60),
        text:
          at >= 0
            ? `${text.slice(0, at)}${m.record.aliases[0] ?? m.name}${text.slice(at + model.typed.length)}`
            : `${text} ${m.name}`,
      })),
    };
  }
  // "Can my GPU run it?", "my Quadro K2200": a machine we cannot read; its memory decides the answer.
  const owned =
    /\bmy (?:own )?(?:\w+ ){0,2}?(gpu|graphics card|video card|card|laptop|pc|computer|machine|rig|server|desktop)\b/i.exec(
      text,
    ) ?? /\b(quadro|geforce|radeon|tesla|gtx|rtx|instinct|arc)\b/i.exec(text);
  if (mentions.length === 0 && owned && reading.intent !== 'help' && reading.intent !== 'other') {
    const kind = /laptop/i.test(owned[1]!)
      ? 'laptop'
      : /pc|computer|machine|rig|server|desktop/i.test(owned[1]!)
        ? 'machine'
        : 'GPU';
    return {
      question: `I can't tell which ${kind} that is. How much GPU memory (VRAM) does it have? Or name it ("RTX 3060 12GB", "M2 Max 64GB").`,
      choices: [8, 12, 16, 24, 32].map((gb) => ({ label: `${gb} GB GPU`, text: `${text} (a ${gb}GB GPU)` })),
    };
  }
  // "8x Ascend 910B", "a Tenstorrent QuietBox", "my iPhone 15 Pro", "Orange Pi 5": hardware the
  // catalog does not hold, named; never answered silently for the default pair. An accelerator is
  // asked for its memory as a GPU's, a phone or a board for its RAM (run as a CPU host, the closest
  // physics whichgpu has for them).
  const unheld = mentions.length === 0 ? UNHELD.exec(text) : null;
  if (unheld && reading.intent !== 'help' && reading.intent !== 'other') {
    const name = unheld[0].trim();
    const accelerator = ACCELERATOR.test(name);
    return {
      question: `I don't know the ${name}: whichgpu has no model of it yet. ${
        accelerator ? 'How much memory does each card have' : 'How much RAM does it have'
      }? Or name a machine the catalog holds ("RTX 3060 12GB", "M2 Max 64GB").`,
      choices: (accelerator ? [16, 24, 32, 64, 96] : [4, 8, 12, 16, 24]).map((gb) =>
        accelerator
          ? { label: `${gb} GB per card`, text: `${text} (a ${gb}GB GPU)` }
          : { label: `${gb} GB of RAM`, text: `${text} (a machine with ${gb}GB of RAM, CPU only)` },
      ),
    };
  }
  if (!model && (reading.intent === 'fit' || reading.intent === 'speed')) {
    const on = reading.devices[0]?.name ?? 'the machines';
    const popular = ['llama 3.1 8b', 'qwen3 30b a3b', 'llama 3.3 70b'].filter((r) =>
      catalog.models.some((x) => x.record.aliases.includes(r) || x.name.toLowerCase() === r),
    );
    const choices = (popular.length ? popular : ['llama 3.1 8b', 'llama 3.3 70b']).map((r) => ({
      label: r,
      text: `${text} ${r}`,
    }));
    return { question: `Which model do you want to run on ${on}?`, choices };
  }
  return null;
}

/** Hardware people run models on that the catalog does not hold (accelerators, phones, boards). */
const UNHELD =
  /\b(?:huawei\s+)?ascend\s*\d*\w*|\btenstorrent(?:\s+(?:quietbox|wormhole|blackhole|n\d+\w*|p\d+\w*))?\b|\bquietbox\b|\b(?:google\s+)?tpu(?:\s*v\d\w*)?\b|\bgaudi\s*\d?\b|\binferentia\s*\d?\b|\btrainium\s*\d?\b|\bcmp\s*\d{2,3}\s*hx\b|\borange\s*pi\s*\d*(?:\s*(?:pro|plus|max))?\b|\brock\s*5\w*\b|\brk3588\w*\b|\brockchip\b|\biphone(?:\s*\d+(?:\s*pro(?:\s*max)?)?)?\b|\bipad(?:\s*pro)?\b|\b(?:android|smart)\s*phone\b|\bsmartphone\b|\bpixel\s*\d+(?:\s*pro)?\b(?!\s*(?:x|px|pixels?)\b)|\bgalaxy\s+[sazn]\d+\w*\b|\bsnapdragon\s*8\s*(?:gen\s*\d|elite)\b|\bhailo-?\d*\b|\bcoral\s+(?:tpu|edge|usb|dev)\w*\b|昇腾|手机/i;
/** Of those, the accelerator cards, whose memory is per card. */
const ACCELERATOR = /ascend|tenstorrent|quietbox|tpu|gaudi|inferentia|trainium|cmp|昇腾/i;

/**
 * "M3 Max 40-core", "M4 Max 40 core GPU", "M1 Max (32c)": the GPU bin decides which memory sizes
 * the chip shipped with (the 40-core M3 Max came with 48, 64 or 128 GB; the 30-core with 36 or 96).
 * The sizes whose variant note names that bin, or undefined when none does.
 */
function binSizes(text: string, m: MachineMention): number[] | undefined {
  const after = text.slice(m.endChar, m.endChar + 40);
  const cores =
    /^[\s,(-]*(\d{2})[\s-]*(?:core|c)\b(?![\s-]*cpu)/i.exec(after) ??
    /^[\s,(-]*(?:\d+[\s-]*(?:cores?|c)?\s*cpu\W+)?(\d{2})[\s-]*(?:cores?|c)?\s*gpu/i.exec(after) ??
    /^[\s,(-]*(\d{2})\s*gpu\s*cores?/i.exec(after);
  if (!cores) return undefined;
  const n = Number(cores[1]);
  // Only a chip whose every size names its one bin can be narrowed ("60- or 76-core GPU" names two).
  const bins = m.chip.variants.map((v) => binOf(v.note));
  if (bins.some((b) => b === undefined)) return undefined;
  const sizes = m.chip.variants.filter((_, k) => bins[k] === n).map((v) => v.memoryGB);
  return sizes.length ? sizes : undefined;
}

/** The GPU bin a variant's note names first ("16C/40G bin", "the 30-core GPU bin"), unless it names alternatives. */
function binOf(note: string | undefined): number | undefined {
  if (!note || /\bor\b/i.test(note)) return undefined;
  const m = /\b(\d{2})-core GPU\b|\/(\d{2})G\b/i.exec(note);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** The memory sizes Macs of this form shipped with, for a Mac known only by its form. */
function macSizes(catalog: Catalog, m: MachineMention): number[] | undefined {
  if (m.chip.vendor !== 'apple' || !m.generic || !m.form) return undefined;
  const sizes = catalog.chips
    .filter((c) => c.vendor === 'apple' && !c.id.startsWith('generic-') && c.forms?.includes(m.form!))
    .flatMap((c) => c.variants.map((v) => v.memoryGB));
  return sizes.length ? sizes : undefined;
}

/** Up to n models of a family, from small to large, newest of each size. */
function spreadModels(models: CatalogModel[], n: number): CatalogModel[] {
  const bySize = [...new Map([...models].reverse().map((m) => [m.paramsB, m])).values()].sort(
    (a, b) => a.paramsB - b.paramsB,
  );
  if (bySize.length <= n) return bySize;
  return [...new Set(Array.from({ length: n }, (_, i) => bySize[Math.round((i * (bySize.length - 1)) / (n - 1))]!))];
}

/** Up to n values spread over a sorted list, always with the first and the last. */
function spread(xs: number[], n: number): number[] {
  if (xs.length <= n) return xs;
  return [...new Set(Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]!))];
}

/** The two machines the verdict compares, for the intent. */
function pairFor(catalog: Catalog, intent: Intent, devices: MachineReading[], notes: string[]): [string, string] {
  const [def5090, defMac] = DEFAULT_DEVICE_IDS;
  const ids = [...new Set(devices.map((d) => d.id))];
  const current = devices.find((d) => d.role === 'current')?.id;
  let pair: string[];
  if (intent === 'upgrade' && current) {
    // A machine said as a candidate before one merely named ("I switched from a 3090 to a 4090. Is a
    // 5090 worth it?": the 3090 is left behind).
    const candidate =
      devices.find((d) => d.role === 'candidate' && d.id !== current)?.id ?? ids.find((id) => id !== current);
    pair = [current, candidate ?? (current === def5090 ? defMac : def5090)];
  } else if (ids.length >= 2) pair = ids.slice(0, 2);
  else if (ids.length === 1) pair = [ids[0]!, splitMachineId(ids[0]!).base === def5090 ? defMac : def5090];
  else {
    pair = [def5090, defMac];
    // Answering for machines nobody named is said, so a reader does not take it for theirs.
    if (intent === 'fit' || intent === 'speed' || intent === 'plan')
      notes.push(
        'no machine named: answered for the RTX 5090 and the Mac Studio M4 Max 128GB; name yours for its own answer',
      );
  }
  if (ids.length > 2)
    notes.push(
      `compared the first two machines named (${ids
        .slice(0, 2)
        .map((id) => catalog.device(id)?.shortName ?? id)
        .join(' and ')})`,
    );
  return [pair[0]!, pair[1]!];
}

function modelSpans(text: string, model: ModelFound): [number, number][] {
  const at = text.indexOf(model.typed);
  return at >= 0 ? [[at, at + model.typed.length]] : [];
}

/** The text with the given character ranges blanked out (so their words are not read twice). */
function blank(text: string, spans: [number, number][]): string {
  let out = text;
  for (const [a, b] of spans) if (b > a) out = `${out.slice(0, a)}${' '.repeat(b - a)}${out.slice(b)}`;
  return out;
}
