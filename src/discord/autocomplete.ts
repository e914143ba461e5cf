/** Slash-command autocomplete for model and against, served from memory. */
import { compact, resolveDevice, suggestModels, type Catalog, type CatalogDevice } from '../core/index.js';
import type { InteractionInput } from './interaction.js';

/** At most 25 choices, served from memory: what the user typed first, then matching catalog names. */
export function autocomplete(i: InteractionInput, catalog: Catalog): { name: string; value: string }[] {
  const focused = i.command?.focused;
  if (!focused) return [];
  const typed = focused.value.trim().slice(0, 100);
  const key = compact(typed);
  if (focused.name === 'against') return machineChoices(catalog, typed);
  if (focused.name !== 'model') return [];
  const byName = catalog.models.filter(
    (m) =>
      key === '' ||
      compact(`${m.id} ${m.name} ${m.record.aliases.join(' ')} ${m.record.ollama.join(' ')}`).includes(key),
  );
  const ranked = byName.length ? byName : suggestModels(catalog, key, 10);
  const choices = ranked.map((m) => ({
    name: `${m.name} (${m.paramsB}B)`.slice(0, 100),
    value: m.record.ollama[0] ?? m.id,
  }));
  if (typed !== '' && !choices.some((c) => compact(c.value) === key)) choices.unshift({ name: typed, value: typed });
  return choices.slice(0, 25);
}

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
