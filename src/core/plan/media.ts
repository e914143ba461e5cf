/**
 * Plans for the workflows that are not LLM chat (issue 15): image and video generation, ranked by
 * the public arena that scores them, each in the best precision the machine holds with seconds per
 * image or minutes per clip from the diffusion model; and fine-tuning, the best LLMs whose LoRA or
 * QLoRA run fits the machine, ranked by their chat score.
 */
import type { Catalog, CatalogDevice, CatalogModel } from '../catalog/catalog.js';
import type { Generation } from '../catalog/generation-schema.js';
import type { MediaModel } from '../catalog/media-schema.js';
import { defaultRun, estimateDiffusion, latentTokens } from '../physics/diffusion.js';
import { trainingBudgetGB, trainingMemoryGB } from '../physics/evaluate.js';
import { FINE_TUNE_SUPPORT, type FineTuneMethod } from '../physics/finetune.js';
import { GIB_IN_GB, gpuBudgetGB } from '../physics/memory.js';
import { benchmarksFor, qualityOf } from './quality.js';
import type { PickQuality, PlanPick, PlanQuery } from './types.js';

export type MediaWorkflow = 'image' | 'video';

/** Bytes per weight of the GGUF quants ComfyUI-GGUF loads (llama.cpp's block formats). */
const GGUF_BYTES: Record<string, number> = { Q8_0: 1.0625, Q4_K_M: 0.5625 };

/**
 * Activations of one pass, GB: ~10 tensors of tokens x hidden at 2 bytes live at once with
 * memory-efficient attention (an estimate; what makes a long clip need more than its weights).
 */
const activationGB = (g: Generation, tokens: number) => (tokens * g.hidden * 2 * 10) / 1e9;

interface Precision {
  id: string;
  gb: number;
  basis: 'file' | 'estimate';
}

/** The precisions to try, best first: the model's 16-bit file, FP8 (not on Apple: MPS cannot load it), then GGUF. */
function precisionsOf(m: MediaModel, device: CatalogDevice): Precision[] {
  const out: Precision[] = [];
  for (const id of ['BF16', 'FP16']) {
    const f = m.fileGB[id];
    if (f) {
      out.push({ id, gb: f.value, basis: 'file' });
      break;
    }
  }
  const fp8 = m.fileGB.FP8;
  if (fp8 && device.backend !== 'metal') out.push({ id: 'FP8', gb: fp8.value, basis: 'file' });
  // GGUF sizes on the same basis as the 16-bit file (which holds both experts of Wan 2.2 A14B, say),
  // else from the parameters.
  const sixteen = m.fileGB.BF16 ?? m.fileGB.FP16;
  for (const [id, bytes] of Object.entries(GGUF_BYTES)) {
    const f = m.fileGB[id];
    const gb = f ? f.value : sixteen ? (sixteen.value * bytes) / 2 : m.paramsB.value * bytes;
    out.push({ id, gb, basis: f ? 'file' : 'estimate' });
  }
  return out;
}

/**
 * Memory a run needs at its peak, GB: the denoiser, the VAE and one pass's activations; the text
 * encoders run first and are unloaded to system RAM where there is a discrete GPU (ComfyUI does),
 * so only the largest counts against it alone; on unified memory (a Mac, DGX Spark, Strix Halo, an
 * iGPU or the CPU) there is no other RAM to unload to, and everything stays in one pool.
 */
function pipelineGB(m: MediaModel, g: Generation, p: Precision, device: CatalogDevice, tokens: number) {
  const encoders = m.companions.filter((c) => c.role === 'text-encoder').map((c) => c.fileGB.value);
  const others = m.companions.filter((c) => c.role !== 'text-encoder').reduce((a, c) => a + c.fileGB.value, 0);
  const denoise = p.gb + others + activationGB(g, tokens);
  if (device.unified) return denoise + encoders.reduce((a, b) => a + b, 0);
  return Math.max(denoise, ...encoders);
}

/** The memory one pipeline may use: the unified budget (raised on a Mac), or one card's (a diffusion model runs on one GPU). */
const usableGB = (device: CatalogDevice) => {
  if (!device.unified) return device.memoryGB * GIB_IN_GB;
  const b = gpuBudgetGB(device);
  return b.raisedGB ?? b.defaultGB;
};

function mediaRun(device: CatalogDevice, m: MediaModel, p: Precision, g: Generation): string {
  const size = `${g.width}x${g.height}`;
  if (device.backend === 'metal') {
    if (m.id === 'flux-1-dev' || m.id === 'flux-1-schnell')
      return `mflux-generate --model ${m.id === 'flux-1-schnell' ? 'schnell' : 'dev'} --steps ${g.defaultSteps} --width ${g.width} --height ${g.height} --prompt "..."`;
    return `ComfyUI (MPS) or Draw Things: ${m.name} ${p.id}, ${g.defaultSteps} steps at ${size}${g.frames ? `, ${g.frames} frames` : ''}`;
  }
  const file = p.id.startsWith('Q') ? `a ${p.id} GGUF through the ComfyUI-GGUF loader` : `the ${p.id} weights`;
  return `ComfyUI: ${m.name} with ${file}, ${g.defaultSteps} steps at ${size}${g.frames ? `, ${g.frames} frames` : ''}`;
}

interface MediaCandidate {
  pick: PlanPick;
  rank: number | null;
  paramsB: number;
}

/** Every image or video model the machine runs, best first; how many it cannot; how many have no shape to estimate. */
export function mediaCandidates(
  catalog: Catalog,
  device: CatalogDevice,
  workflow: MediaWorkflow,
): { picks: PlanPick[]; cannotRun: number; unestimated: number } {
  const support = catalog.workflow(workflow)?.support[device.backend]?.level ?? 'none';
  const models = catalog.media.filter((m) => m.kind === workflow);
  const shaped = models.filter((m) => catalog.generation(m.id));
  if (support === 'none') return { picks: [], cannotRun: models.length, unestimated: models.length - shaped.length };
  const budget = usableGB(device);
  const out: MediaCandidate[] = [];
  for (const m of shaped) {
    const g = catalog.generation(m.id)!;
    const run = defaultRun(g);
    const tokens = latentTokens(g, run);
    const fits = precisionsOf(m, device).find((p) => pipelineGB(m, g, p, device, tokens) <= budget);
    if (!fits) continue;
    const est = estimateDiffusion(g, m.paramsB.value, run, device, catalog.diffusion);
    const arena = qualityOf(catalog, m, benchmarksFor(catalog, workflow));
    const unit = workflow === 'video' ? 'clip' : 'image';
    const why = arena
      ? `Ranked by its ${arena.quality.benchmark} score among what fits here.`
      : `No public ${workflow} arena score in our data: ranked after the scored models, by size.`;
    out.push({
      rank: arena?.normalized ?? null,
      paramsB: m.paramsB.value,
      pick: {
        model: { id: m.id, name: m.name, kind: workflow },
        quant: fits.id,
        contextTokens: 0,
        fit: 'gpu',
        decodeTokensPerSec: null,
        decodeBand: null,
        prefillTokensPerSec: null,
        timeToFirstTokenSec: null,
        memoryGB: Math.round(pipelineGB(m, g, fits, device, tokens) * 10) / 10,
        quality: arena?.quality ?? null,
        quantCost:
          fits.id.startsWith('Q') || fits.id === 'FP8' ? `${fits.id}: smaller than 16-bit, some loss of detail` : null,
        why,
        run: mediaRun(device, m, fits, g),
        generation: {
          unit,
          seconds: est.seconds,
          band: est.band,
          steps: run.steps,
          width: run.width,
          height: run.height,
          ...(run.frames !== undefined ? { frames: run.frames } : {}),
          basis: catalog.diffusionCalibration ? 'estimate' : 'unfitted',
        },
      },
    });
  }
  out.sort((a, b) => {
    if (a.rank !== null && b.rank !== null) return b.rank - a.rank;
    if (a.rank !== null) return -1;
    if (b.rank !== null) return 1;
    // No score for either: the larger model first, as for language models.
    return b.paramsB - a.paramsB;
  });
  return {
    picks: out.map((c) => c.pick),
    cannotRun: models.length - out.length,
    unestimated: models.length - shaped.length,
  };
}

/** LoRA in 16-bit where it fits, else QLoRA on 4-bit weights; the tooling of the backend. */
export function fineTuneCandidates(
  catalog: Catalog,
  device: CatalogDevice,
  q: PlanQuery,
  rank: (m: CatalogModel) => { quality: PickQuality; normalized: number } | null,
): { picks: PlanPick[]; cannotRun: number } {
  const budget = trainingBudgetGB(device);
  const out: { pick: PlanPick; n: number | null; m: CatalogModel }[] = [];
  for (const m of catalog.models) {
    const method = (['lora', 'qlora'] as FineTuneMethod[]).find(
      (x) => FINE_TUNE_SUPPORT[device.backend][x].ok && trainingMemoryGB(device, m, x) <= budget,
    );
    if (!method) continue;
    // Mixture-of-experts training is not supported by the common LoRA stacks at home scale.
    if (m.activeParamsB < m.paramsB) continue;
    const r = rank(m);
    const tool = FINE_TUNE_SUPPORT[device.backend][method].tool;
    const repo = m.record.huggingface.find((h) => !/gguf|mlx|awq|gptq/i.test(h)) ?? m.record.huggingface[0] ?? m.name;
    // QLoRA on a Mac trains on a 4-bit MLX model; LoRA on the 16-bit weights (mlx_lm converts them).
    const mlx4 = m.record.huggingface.find((h) => /^mlx-community\//i.test(h) && /4bit/i.test(h));
    const run =
      device.backend === 'metal'
        ? `mlx_lm.lora --model ${method === 'qlora' ? (mlx4 ?? `${repo} (quantized to 4 bits with mlx_lm.convert -q)`) : repo} --train --data ./data`
        : `${method === 'qlora' ? 'QLoRA (load_in_4bit)' : 'LoRA (16-bit)'} with ${tool.split(',')[0]}: ${repo}`;
    out.push({
      m,
      n: r?.normalized ?? null,
      pick: {
        model: { id: m.id, name: m.name, kind: 'llm' },
        quant: method === 'qlora' ? 'QLoRA' : 'LoRA',
        contextTokens: q.contextTokens ?? 2048,
        fit: 'gpu',
        decodeTokensPerSec: null,
        decodeBand: null,
        prefillTokensPerSec: null,
        timeToFirstTokenSec: null,
        memoryGB: Math.round(trainingMemoryGB(device, m, method) * 10) / 10,
        quality: r?.quality ?? null,
        quantCost: method === 'qlora' ? 'QLoRA: 4-bit base weights, close to 16-bit LoRA quality (QLoRA paper)' : null,
        why: r
          ? `The best ${r.quality.benchmark} score among the models whose ${method === 'qlora' ? 'QLoRA' : 'LoRA'} run fits here.`
          : 'No public score in our data: ranked after the scored models, by size.',
        run,
      },
    });
  }
  out.sort((a, b) => {
    if (a.n !== null && b.n !== null) return b.n - a.n;
    if (a.n !== null) return -1;
    if (b.n !== null) return 1;
    return b.m.paramsB - a.m.paramsB;
  });
  return { picks: out.map((x) => x.pick), cannotRun: catalog.models.length - out.length };
}
