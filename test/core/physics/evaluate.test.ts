import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/core/verdict/compare.js';
import type { Verdict } from '../../../src/core/verdict/types.js';
import { fineTuneMemoryGB } from '../../../src/core/physics/finetune.js';
import { catalog } from '../../helpers/catalog.js';

function verdict(input: Record<string, unknown>): Verdict {
  const r = compare(catalog, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('image generation', () => {
  it('uses the reported SDXL it/s, scaled from 512 px to the requested 1024 px, and labels it', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'image', imageSteps: 30, imageResolution: 1024 });
    const sdxl = v.devices[0]!.images.find((i) => i.id.includes('sdxl'))!;
    expect(sdxl.basis).toBe('reported');
    // 12.5 it/s at 512 px -> 3.125 it/s at 1024 px -> 30 steps in 9.6 s
    expect(sdxl.secondsPerImage!.low).toBeCloseTo(9.6, 1);
    expect(sdxl.basisNote).toMatch(/scaled to 1024px/);
    expect(v.verdict.winner).toBe('rtx-5090');
  });

  it("estimates a device without its own figure from its backend's reference, and says so", () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'image', device: 'rtx-4090' });
    const sdxl = v.devices[0]!.images[0]!;
    expect(sdxl.basis).toBe('estimate');
    expect(sdxl.secondsPerImage).not.toBeNull();
  });
});

describe('fine-tuning', () => {
  it.each([
    [8, 'qlora', 7.3],
    [8, 'lora', 21.2],
    [8, 'full', 155.6],
  ] as const)('%dB with %s needs ~%d GB', (p, method, gb) => {
    expect(fineTuneMemoryGB(p, method)).toBeCloseTo(gb, 0);
  });

  it('full fine-tuning an 8B model fits neither machine; QLoRA fits both, and MLX has no full fine-tune path', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    const [gpu, mac] = v.devices;
    expect(gpu!.fineTune.find((f) => f.method === 'full')!.fits).toBe(false);
    expect(gpu!.fineTune.find((f) => f.method === 'qlora')!.fits).toBe(true);
    expect(mac!.fineTune.find((f) => f.method === 'qlora')!).toMatchObject({ fits: true, supported: true });
    expect(mac!.fineTune.find((f) => f.method === 'full')!.supported).toBe(false);
  });
});

describe('image verdicts against a device without an image figure', () => {
  it('answer instead of crashing', () => {
    const r = compare(catalog, { workflow: 'image', against: 'ryzen-ai-max-395-128gb' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.verdict.reasons.join(' ')).toMatch(/No public .* speed for/);
  });
});
