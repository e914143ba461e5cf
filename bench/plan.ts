/**
 * Planning (issue 15): every model of the catalog planned for one machine, for each workflow and a
 * few machines, one plan at a time after a warm-up. Target: <= 20 ms median per machine.
 */
import { loadCatalog } from '../src/catalog/load.js';
import { plan } from '../src/core/index.js';
import { stats } from './core.js';

const MACHINES = ['rtx-5090', 'mac-studio-m4-max-128gb', 'rtx-3060-12gb', 'mac-studio-m3-ultra-512gb', '2x-rtx-3090'];
const WORKFLOWS = ['chat', 'coding', 'rag'] as const;
const MEDIA_WORKFLOWS = ['image', 'video', 'fine-tune'] as const;

/** The same for the image, video and fine-tuning plans (the diffusion model and the LoRA memory rule). */
export function mediaPlanBench() {
  const catalog = loadCatalog();
  const xs: number[] = [];
  for (let round = 0; round < 6; round++)
    for (const device of MACHINES)
      for (const workflow of MEDIA_WORKFLOWS) {
        const start = performance.now();
        plan(catalog, { devices: [device], workflow });
        if (round > 0) xs.push(performance.now() - start);
      }
  return { ...stats(xs), n: xs.length };
}

export function mediaPlanRow(r: ReturnType<typeof mediaPlanBench>): string {
  return `| plan one machine for image, video or fine-tuning | ${r.median.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | |`;
}

export function planBench() {
  const catalog = loadCatalog();
  const once = () => {
    for (const device of MACHINES) for (const workflow of WORKFLOWS) plan(catalog, { devices: [device], workflow });
  };
  once();
  const xs: number[] = [];
  for (let round = 0; round < 5; round++)
    for (const device of MACHINES)
      for (const workflow of WORKFLOWS) {
        const start = performance.now();
        plan(catalog, { devices: [device], workflow });
        xs.push(performance.now() - start);
      }
  return { ...stats(xs), n: xs.length, models: catalog.models.length };
}

export function planRow(r: ReturnType<typeof planBench>): string {
  return `| plan one machine (all ${r.models} models) | ${r.median.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | target <= 20 ms median |`;
}
