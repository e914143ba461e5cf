/**
 * Slash-command autocomplete for models and machines, served from memory: the catalog, and the models
 * lookups learned recently, read from the store at most every LEARNED_REFRESH_MS.
 */
import {
  compact,
  lookupTargetOf,
  resolveDevice,
  suggestModels,
  type Catalog,
  type CatalogDevice,
} from '../core/index.js';
import type { RecentLearned } from '../store/store.js';
import type { InteractionInput } from './interaction.js';

type Choice = { name: string; value: string };

/** Options that name a machine: /compare's `against`, /plan's `machine`, `machine2` and `current`. */
const MACHINE_OPTIONS = new Set(['against', 'machine', 'machine2', 'current']);

/** What autocomplete needs of the store (Store has it). */
export interface LearnedModelsSource {
  recentLearned(limit: number, now?: Date): Promise<RecentLearned[]>;
  /** Moves when this process caches a lookup's answer, so its own new models show at once. */
  readonly learnedWrites: number;
}

/**
 * How stale the list of learned models may get: another process's lookups show within this. Discord
 * gives autocomplete 3 s and people type several keys a second, so the store is not read per key.
 */
export const LEARNED_REFRESH_MS = 5000;
/** The newest learned models kept in memory for matching; older ones are still answered when pasted. */
export const LEARNED_LISTED = 100;

/**
 * At most 25 choices: what the user typed first, then catalog models whose names hold it, then
 * models lookups learned recently (newest first) whose reference or name holds it, then, when no
 * name matched, the catalog's nearest models. A learned model's value is its reference, so /compare
 * learns it again from the store's cache.
 */
export async function autocomplete(
  i: InteractionInput,
  catalog: Catalog,
  learned?: LearnedModelsSource,
): Promise<Choice[]> {
  const focused = i.command?.focused;
  if (!focused) return [];
  const typed = focused.value.trim().slice(0, 100);
  const key = compact(typed);
  if (MACHINE_OPTIONS.has(focused.name)) return machineChoices(catalog, typed);
  if (focused.name !== 'model') return [];
  const byName = catalog.models.filter(
    (m) =>
      key === '' ||
      compact(`${m.id} ${m.name} ${m.record.aliases.join(' ')} ${m.record.ollama.join(' ')}`).includes(key),
  );
  const modelChoice = (m: (typeof byName)[number]): Choice => ({
    name: `${m.name} (${m.paramsB}B)`.slice(0, 100),
    value: m.record.ollama[0] ?? m.id,
  });
  const choices = byName.slice(0, 25).map(modelChoice);
  if (learned && choices.length < 25)
    for (const c of await learnedChoices(learned, catalog, Date.now()))
      if (key === '' || c.match.includes(key)) choices.push({ name: c.name, value: c.value });
  if (byName.length === 0) choices.push(...suggestModels(catalog, key, 10).map(modelChoice));
  if (typed !== '' && !choices.some((c) => compact(c.value) === key)) choices.unshift({ name: typed, value: typed });
  const seen = new Set<string>();
  return choices.filter((c) => !seen.has(c.value) && seen.add(c.value)).slice(0, 25);
}

interface LearnedChoice extends Choice {
  /** compact() of the value and the name, matched against what was typed. */
  match: string;
}

/**
 * The last list read per store, with what it was read under. Each row's choice is kept by the row's
 * identity: reading it again takes a few ms, but deciding a value (the catalog resolves it) ~0.3 ms
 * a row, so a refresh works out only the rows it has not seen.
 */
const learnedLists = new WeakMap<
  LearnedModelsSource,
  { at: number; writes: number; catalog: Catalog; choices: LearnedChoice[]; byRow: Map<string, LearnedChoice | null> }
>();

async function learnedChoices(source: LearnedModelsSource, catalog: Catalog, now: number): Promise<LearnedChoice[]> {
  const held = learnedLists.get(source);
  const writes = source.learnedWrites;
  if (held && held.catalog === catalog && held.writes === writes && now - held.at < LEARNED_REFRESH_MS)
    return held.choices;
  const seen = held?.catalog === catalog ? held.byRow : new Map<string, LearnedChoice | null>();
  let rows: RecentLearned[];
  try {
    rows = await source.recentLearned(LEARNED_LISTED);
  } catch {
    // A store that cannot be read now keeps the last list; it is tried again after the interval.
    const choices = held?.catalog === catalog ? held.choices : [];
    learnedLists.set(source, { at: now, writes, catalog, choices, byRow: seen });
    return choices;
  }
  const byRow = new Map<string, LearnedChoice | null>();
  const choices: LearnedChoice[] = [];
  for (const r of rows) {
    const id = `${r.source}|${r.ref}|${r.basisRef}|${r.name}|${r.parameters ?? ''}`;
    const choice = seen.has(id) ? seen.get(id)! : (learnedChoice(catalog, r) ?? null);
    byRow.set(id, choice);
    if (choice) choices.push(choice);
  }
  learnedLists.set(source, { at: now, writes, catalog, choices, byRow });
  return choices;
}

/**
 * A learned model as a choice whose value /compare reads as the same reference (so the cache
 * answers), or undefined when the catalog now holds it (the curated entry wins) or no value fits.
 */
function learnedChoice(catalog: Catalog, r: RecentLearned): LearnedChoice | undefined {
  let candidates: string[];
  if (r.source === 'huggingface') {
    // The cache key is "org/repo" lowercased, ":QUANT" when the reference named one.
    const [repo, quant, ...more] = r.ref.split(':');
    if (more.length || r.ref.includes('@') || repo !== r.basisRef.toLowerCase()) return undefined;
    candidates = quant ? [`hf.co/${r.basisRef}:${quant}`] : [r.basisRef, `hf.co/${r.basisRef}`];
  } else candidates = [r.basisRef];
  // A bare "org/repo" is read as a reference only with a size in its name; hf.co/ makes any repo one.
  const value = candidates.find((v) => v.length <= 100 && lookupTargetOf(catalog, v)?.source === r.source);
  if (!value) return undefined;
  const size = r.parameters ? `${paramsText(r.parameters / 1e9)}B, ` : '';
  const where = r.source === 'huggingface' ? 'Hugging Face' : 'Ollama';
  return {
    name: `${value} (${size}learned from ${where})`.slice(0, 100),
    value,
    match: compact(`${value} ${r.name}`),
  };
}

const paramsText = (b: number) => (b >= 10 ? String(Math.round(b)) : b.toFixed(1).replace(/\.0$/, ''));

/**
 * Any machine, not only the curated ones: what was typed read as a machine first ("2x 3090 64gb"
 * -> 2x-rtx-3090-ram-64gb), then curated machines and chips whose names hold what was typed.
 */
function machineChoices(catalog: Catalog, typed: string): { name: string; value: string }[] {
  const key = compact(typed);
  const choice = (d: CatalogDevice) => ({ name: d.name.slice(0, 100), value: d.id });
  const out: { name: string; value: string }[] = [];
  const read = typed === '' ? undefined : resolveDevice(catalog, typed);
  if (read?.ok) out.push(choice(read.value));
  for (const d of catalog.devices)
    if (key === '' || compact(`${d.id} ${d.name} ${d.record.aliases.join(' ')}`).includes(key)) out.push(choice(d));
  if (key !== '')
    for (const chip of catalog.chips) {
      if (out.length >= 25) break;
      if (chip.id.startsWith('generic-') || !compact(`${chip.id} ${chip.name} ${chip.aliases.join(' ')}`).includes(key))
        continue;
      for (const variant of chip.variants)
        out.push(choice(catalog.machine({ chip, variant, gpus: 1, hostRamGB: null, form: chip.forms?.[0] ?? null })));
    }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.value) && seen.add(c.value)).slice(0, 25);
}
