/**
 * Planning (issue 15): every model of the catalog planned for one machine, for each workflow and a
 * few machines, one plan at a time after a warm-up. Target: <= 20 ms median per machine.
 */
import { loadCatalog } from '../src/catalog/load.js';
import { plan, type PlanInput } from '../src/core/index.js';
import { stats } from './core.js';

const MACHINES = ['rtx-5090', 'mac-studio-m4-max-128gb', 'rtx-3060-12gb', 'mac-studio-m3-ultra-512gb', '2x-rtx-3090'];
const WORKFLOWS = ['chat', 'coding', 'rag'] as const;
const MEDIA_WORKFLOWS = ['image', 'video', 'fine-tune'] as const;

/** Each machine planned for each workflow, one plan at a time: a warm-up round, then five timed rounds. */
function timePlans(workflows: readonly PlanInput['workflow'][]) {
  const catalog = loadCatalog();
  const xs: number[] = [];
  for (let round = 0; round < 6; round++)
    for (const device of MACHINES)
      for (const workflow of workflows) {
        const start = performance.now();
        plan(catalog, { devices: [device], workflow });
        if (round > 0) xs.push(performance.now() - start);
      }
  return { ...stats(xs), n: xs.length, models: catalog.models.length };
}

export const planBench = () => timePlans(WORKFLOWS);

/** The same for the image, video and fine-tuning plans (the diffusion model and the LoRA memory rule). */
export const mediaPlanBench = () => timePlans(MEDIA_WORKFLOWS);

export function mediaPlanRow(r: ReturnType<typeof mediaPlanBench>): string {
  return `| plan one machine for image, video or fine-tuning | ${r.median.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | |`;
}

export function planRow(r: ReturnType<typeof planBench>): string {
  return `| plan one machine (all ${r.models} models) | ${r.median.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | target <= 20 ms median |`;
}
