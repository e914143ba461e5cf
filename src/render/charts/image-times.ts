/**
 * Seconds per image for each machine and each image model the verdict estimates, on a log axis
 * (a GPU and a Mac can be ten times apart), with each estimate's band.
 */
import type { Verdict } from '../../core/index.js';
import { dotPanel, durationAxis, fmtDuration, type DotRow } from './dots.js';
import { colorOf, type Panel } from './svg.js';

export function imageTimesPanel(v: Verdict): Panel | undefined {
  const ids = [...new Set(v.devices.flatMap((e) => e.images.map((img) => img.id)))];
  const rows: DotRow[] = [];
  const values: number[] = [];
  const figures: string[] = [];
  const said: string[] = [];
  for (const id of ids) {
    const first = v.devices.flatMap((e) => e.images).find((img) => img.id === id)!;
    const cells = v.devices.map((e, i) => {
      const img = e.images.find((x) => x.id === id);
      const band = img?.secondsPerImage ?? null;
      if (!img || !band) {
        const why = !img || img.support === 'none' ? 'not supported' : 'no figure';
        said.push(`${e.shortName} ${first.name}: ${why}`);
        return { color: colorOf(i), value: null, text: why };
      }
      const seconds = img.seconds ?? Math.sqrt(band.low * band.high);
      values.push(band.low, band.high);
      const shown = fmtDuration(seconds);
      figures.push(shown);
      said.push(`${e.shortName} ${first.name} ~${shown}`);
      return { color: colorOf(i), value: seconds, band, text: shown };
    });
    rows.push({ label: `${first.name} · ${first.steps} steps · ${first.resolution} px`, cells });
  }
  if (!values.length) return undefined;
  return dotPanel({
    title: 'Time per image',
    legend: v.devices.map((e, i) => ({ label: e.shortName, color: colorOf(i) })),
    rows,
    axis: durationAxis(values, 'time per image (log scale)'),
    notes: ['estimates; whiskers: the diffusion model band'],
    alt: `Time per image: ${said.join('; ')}.`,
    figures,
  });
}
