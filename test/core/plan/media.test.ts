/** Plans for image, video and fine-tuning: what fits, ranked by the arena that scores it, in seconds per image or clip. */
import { describe, expect, it } from 'vitest';
import { gpuBudgetGB } from '../../../src/core/physics/memory.js';
import { plan, type PlanInput } from '../../../src/core/plan/plan.js';
import type { Plan } from '../../../src/core/plan/types.js';
import { catalog } from '../../helpers/catalog.js';

const planned = (input: PlanInput): Plan => {
  const r = plan(catalog, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const usable = (id: string) => {
  const b = gpuBudgetGB(catalog.device(id)!);
  return b.raisedGB ?? b.defaultGB;
};
const MACHINES = ['rtx-3060', 'rtx-3090', 'rtx-5090', 'mac-studio-m4-max-128gb'];

describe('image and video plans', () => {
  it.each(['image', 'video'] as const)('every %s pick fits its machine and carries seconds with a band', (workflow) => {
    for (const id of MACHINES) {
      const p = planned({ devices: [id], workflow, limit: 25 });
      const d = p.devices[0]!;
      expect(d.picks.length).toBeGreaterThan(0);
      for (const pick of d.picks) {
        expect(pick.model.kind).toBe(workflow);
        expect(pick.memoryGB).toBeLessThanOrEqual(usable(d.id) + 0.05);
        const g = pick.generation!;
        expect(g.unit).toBe(workflow === 'video' ? 'clip' : 'image');
        expect(g.seconds).toBeGreaterThan(0);
        expect(g.band.low).toBeLessThan(g.seconds);
        expect(g.band.high).toBeGreaterThan(g.seconds);
        expect(pick.decodeTokensPerSec).toBeNull();
      }
    }
  });

  it('more memory never removes a pick; a faster chip of the same backend is faster on a shared pick', () => {
    const small = planned({ devices: ['rtx-3060'], workflow: 'image', limit: 25 }).devices[0]!;
    const big = planned({ devices: ['rtx-3090'], workflow: 'image', limit: 25 }).devices[0]!;
    const bigIds = new Set(big.picks.map((p) => p.model.id));
    for (const p of small.picks) expect(bigIds.has(p.model.id)).toBe(true);
    const flux = (d: typeof small) => d.picks.find((p) => p.model.id === 'flux-1-dev')!;
    expect(flux(big).generation!.seconds).toBeLessThan(flux(small).generation!.seconds);
  });

  it('ranks by the text-to-image arena: a higher score ranks higher; unscored models after, by size', () => {
    const picks = planned({ devices: ['rtx-5090'], workflow: 'image', limit: 25 }).devices[0]!.picks;
    const scored = picks.filter((p) => p.quality);
    expect(scored.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < scored.length; i++)
      expect(scored[i - 1]!.quality!.score).toBeGreaterThanOrEqual(scored[i]!.quality!.score);
    const firstUnscored = picks.findIndex((p) => !p.quality);
    expect(picks.slice(firstUnscored).every((p) => !p.quality)).toBe(true);
    expect(picks[firstUnscored]!.why).toMatch(/No public image arena score/);
  });

  it('a model too large in 16-bit is planned in FP8 on NVIDIA, never on a Mac (MPS cannot load FP8)', () => {
    const gpu = planned({ devices: ['rtx-5090'], workflow: 'image', limit: 25 }).devices[0]!;
    expect(gpu.picks.find((p) => p.model.id === 'qwen-image')!.quant).toBe('FP8');
    for (const workflow of ['image', 'video'] as const) {
      const mac = planned({ devices: ['mac-studio-m4-max-128gb'], workflow, limit: 25 }).devices[0]!;
      expect(mac.picks.some((p) => p.quant === 'FP8')).toBe(false);
    }
  });

  it('on unified memory the text encoders share the pool; on two cards a pipeline fits one of them', () => {
    const qwen = catalog.media.find((m) => m.id === 'qwen-image')!;
    const encoderGB = qwen.companions.find((c) => c.role === 'text-encoder')!.fileGB.value;
    for (const id of ['cpu-ddr5-32gb', 'dgx-spark', 'mac-studio-m4-max-128gb']) {
      const pick = planned({ devices: [id], workflow: 'image', limit: 25 }).devices[0]!.picks.find(
        (p) => p.model.id === 'qwen-image',
      );
      if (pick) expect(pick.memoryGB).toBeGreaterThan(encoderGB + 10);
    }
    const twoCards = planned({ devices: ['2x-rtx-5090'], workflow: 'image', limit: 25 }).devices[0]!.picks;
    const oneCardGB = 32 * 1.073741824;
    for (const p of twoCards) expect(p.memoryGB).toBeLessThanOrEqual(oneCardGB);
    expect(twoCards.find((p) => p.model.id === 'qwen-image')!.quant).toBe('FP8');
  });

  it('mflux runs only the FLUX.1 models it names; the others go through ComfyUI or Draw Things', () => {
    const mac = planned({ devices: ['mac-studio-m4-max-128gb'], workflow: 'image', limit: 25 }).devices[0]!.picks;
    expect(mac.find((p) => p.model.id === 'flux-1-dev')!.run).toMatch(/^mflux-generate --model dev /);
    const flux2 = mac.find((p) => p.model.id === 'flux-2-dev');
    if (flux2) expect(flux2.run).not.toMatch(/mflux/);
  });

  it("an upgrade compares seconds per image on the current machine's picks", () => {
    const p = planned({ current: 'rtx-3060', devices: ['rtx-5090'], workflow: 'image' });
    const c = p.upgrade!.candidates[0]!;
    expect(c.faster.length).toBeGreaterThan(0);
    for (const f of c.faster) {
      expect(f.unit).toBe('s/image');
      expect(f.to).toBeLessThan(f.from);
    }
    expect(p.headline).toMatch(/^Best for image: RTX 3060 12GB: .+ \(~[\d.]+ (s|min)\/image\) · RTX 5090: /);
  });
});

describe('fine-tuning plans', () => {
  it('LoRA in 16-bit where it fits, else QLoRA; dense models only; the memory within the machine', () => {
    for (const id of MACHINES) {
      const d = planned({ devices: [id], workflow: 'fine-tune', limit: 25 }).devices[0]!;
      expect(d.picks.length).toBeGreaterThan(0);
      for (const pick of d.picks) {
        expect(['LoRA', 'QLoRA']).toContain(pick.quant);
        expect(pick.memoryGB).toBeLessThanOrEqual(usable(d.id) + 0.05);
        const m = catalog.model(pick.model.id)!;
        expect(m.activeParamsB).toBe(m.paramsB);
      }
    }
    // A 32 GB card fine-tunes a 27B only with QLoRA; a 128 GB Mac holds its 16-bit LoRA.
    const g = planned({ devices: ['rtx-5090'], workflow: 'fine-tune' }).devices[0]!.picks;
    const mac = planned({ devices: ['mac-studio-m4-max-128gb'], workflow: 'fine-tune' }).devices[0]!.picks;
    expect(g.find((p) => p.model.id === 'gemma-3-27b')?.quant).toBe('QLoRA');
    expect(mac.find((p) => p.model.id === 'gemma-3-27b')?.quant).toBe('LoRA');
    // LoRA trains the 16-bit weights, QLoRA a 4-bit MLX model.
    expect(mac.find((p) => p.model.id === 'gemma-3-27b')!.run).toBe(
      'mlx_lm.lora --model google/gemma-3-27b-it --train --data ./data',
    );
    const macQlora = planned({ devices: ['mac-mini-m4-pro-64gb'], workflow: 'fine-tune', limit: 25 }).devices[0]!.picks;
    expect(macQlora.find((p) => p.model.id === 'gemma-3-27b')).toMatchObject({
      quant: 'QLoRA',
      run: 'mlx_lm.lora --model mlx-community/gemma-3-27b-it-4bit --train --data ./data',
    });
  });
});
