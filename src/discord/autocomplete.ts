/** Slash-command autocomplete for model and against, served from memory. */
import { compact, suggestModels, type Catalog } from '../core/index.js';
import type { InteractionInput } from './interaction.js';

/** At most 25 choices, served from memory: what the user typed first, then matching catalog names. */
export function autocomplete(i: InteractionInput, catalog: Catalog): { name: string; value: string }[] {
  const focused = i.command?.focused;
  if (!focused) return [];
  const typed = focused.value.trim().slice(0, 100);
  const key = compact(typed);
  if (focused.name === 'against') {
    return catalog.devices
      .filter((d) => key === '' || compact(`${d.id} ${d.name} ${d.record.aliases.join(' ')}`).includes(key))
      .slice(0, 25)
      .map((d) => ({ name: d.name.slice(0, 100), value: d.id }));
  }
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
