/**
 * An image or video plan: the time each machine takes per image or clip for the models it would
 * pick, one row per model, on a log axis (minutes against hours is common here).
 */
import type { Plan } from '../../core/index.js';
import { dotPanel, durationAxis, fmtDuration, type DotRow } from './dots.js';
import { colorOf, type Panel } from './svg.js';

/** `rows`: how many models to show (the machines' picks in the order they rank them). */
export function planMediaPanel(p: Plan, rows = 6): Panel | undefined {
  const picks = p.devices.flatMap((d) => d.picks.filter((k) => k.generation));
  if (!picks.length) return undefined;
  const unit = picks[0]!.generation!.unit;
  const ids = [...new Set(picks.map((k) => k.model.id))].slice(0, rows);
  const values: number[] = [];
  const figures: string[] = [];
  const dotRows: DotRow[] = ids.map((id) => ({
    label: picks.find((k) => k.model.id === id)!.model.name,
    cells: p.devices.map((d, i) => {
      const g = d.picks.find((k) => k.model.id === id && k.generation);
      if (!g?.generation) return { color: colorOf(i), value: null, text: 'not among its picks' };
      const { seconds, band } = g.generation;
      values.push(band.low, band.high);
      const shown = fmtDuration(seconds);
      figures.push(shown);
      return { color: colorOf(i), value: seconds, band, text: `${shown} (${g.quant})` };
    }),
  }));
  return dotPanel({
    title: `Time per ${unit} for each machine's picks`,
    legend: p.devices.map((d, i) => ({ label: d.shortName, color: colorOf(i) })),
    rows: dotRows,
    axis: durationAxis(values, `time per ${unit}, each model's default run (log scale)`),
    notes: ['the denoising loop (text encoding and VAE decode not in it); estimates'],
    alt: `Time per ${unit}, each machine's first pick: ${p.devices
      .map((d) => {
        const g = d.picks.find((k) => k.generation);
        return g
          ? `${d.shortName} ${g.model.name} ${g.quant} ~${fmtDuration(g.generation!.seconds)}`
          : `${d.shortName} none`;
      })
      .join('; ')}.`,
    figures,
  });
}
