/**
 * Fine-tuning: hours for one pass over the dataset by method (QLoRA, LoRA, full), one dot per
 * machine with its band, or why the method does not run there.
 */
import { fmt, type Verdict } from '../../core/index.js';
import { dotPanel, durationAxis, fmtDuration, type DotRow } from './dots.js';
import { colorOf, type Panel } from './svg.js';

const METHOD = { qlora: 'QLoRA', lora: 'LoRA', full: 'Full fine-tune' } as const;

export function epochHoursPanel(v: Verdict): Panel | undefined {
  const run = v.devices.find((e) => e.fineTuneRun)?.fineTuneRun;
  if (!run) return undefined;
  const values: number[] = [];
  const figures: string[] = [];
  const said: string[] = [];
  const rows: DotRow[] = (['qlora', 'lora', 'full'] as const).map((method) => ({
    label: METHOD[method],
    cells: v.devices.map((e, i) => {
      const f = e.fineTune.find((x) => x.method === method);
      const color = colorOf(i);
      if (!f || f.hoursPerEpoch === null) {
        const why = !f
          ? 'no figure'
          : !f.supported
            ? 'no tooling'
            : !f.fits
              ? `needs ${fmt.gb(f.memoryGB)} GB`
              : 'no figure';
        said.push(`${e.shortName} ${METHOD[method]}: ${why}`);
        return { color, value: null, text: why };
      }
      const band = f.hoursPerEpochBand
        ? { low: f.hoursPerEpochBand.low * 3600, high: f.hoursPerEpochBand.high * 3600 }
        : null;
      values.push(f.hoursPerEpoch * 3600, ...(band ? [band.low, band.high] : []));
      const shown = fmtDuration(f.hoursPerEpoch * 3600);
      figures.push(shown);
      said.push(`${e.shortName} ${METHOD[method]} ${shown} per epoch`);
      return { color, value: f.hoursPerEpoch * 3600, band, text: shown };
    }),
  }));
  if (!values.length) return undefined;
  const tokens =
    run.datasetTokens >= 1e6 ? `${fmt.ratio(run.datasetTokens / 1e6)}M` : `${Math.round(run.datasetTokens / 1e3)}k`;
  return dotPanel({
    title: `One epoch over ${tokens} tokens`,
    legend: v.devices.map((e, i) => ({ label: e.shortName, color: colorOf(i) })),
    rows,
    axis: durationAxis(values, 'time per epoch (log scale)'),
    notes: [`${run.seqLen}-token sequences, micro-batch ${run.microBatch}; estimates with their bands`],
    alt: `Fine-tuning ${v.model?.name ?? 'the model'}, one epoch over ${tokens} tokens: ${said.join('; ')}.`,
    figures,
  });
}
