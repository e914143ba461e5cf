import { describe, expect, it } from 'vitest';
import { variantFor } from '../../../src/core/catalog/catalog.js';
import { isDiscrete, machineId, splitMachineId } from '../../../src/core/catalog/machines.js';
import { compare } from '../../../src/core/verdict/compare.js';
import { catalog } from '../../helpers/catalog.js';

const chip = (id: string) => {
  const c = catalog.chip(id);
  if (!c) throw new Error(`no chip ${id}`);
  return c;
};
const formOf = (c: ReturnType<typeof chip>) => (c.vendor === 'apple' ? (c.forms?.[0] ?? null) : null);

describe('every chip of data/machines composes', () => {
  it.each(catalog.chips.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    for (const variant of c.variants)
      for (const gpus of [1, 2])
        for (const hostRamGB of [null, 64]) {
          const d = catalog.machine({ chip: c, variant, gpus, hostRamGB, form: formOf(c) });
          const label = `${c.id} ${variant.memoryGB}GB x${gpus} ram ${hostRamGB}: ${d.id}`;
          // The id names the machine again.
          expect(catalog.device(d.id)?.id, label).toBe(d.id);
          if (hostRamGB !== null && isDiscrete(c) && d.record.notes.some((n) => n.startsWith('Composed')))
            expect(d.id, label).toMatch(/-ram-64gb$/);
          // Every backend evaluates it beside another machine without throwing.
          const against = d.id === 'rtx-5090' ? 'mac-studio-m4-max-128gb' : 'rtx-5090';
          const v = compare(catalog, { model: 'llama 3.1 8b', device: d.id, against });
          expect(v.ok, `${label}: ${!v.ok && v.error.message}`).toBe(true);
        }
  });
});

describe('composed ids', () => {
  it.each([
    ['2x-rtx-3090-ram-64gb', { gpus: 2, hostRamGB: 64, base: 'rtx-3090' }],
    ['rtx-3060-12gb', { gpus: 1, hostRamGB: null, base: 'rtx-3060-12gb' }],
    ['macbook-pro-m2-max-96gb', { gpus: 1, hostRamGB: null, base: 'macbook-pro-m2-max-96gb' }],
    ['16x-mi50-32gb-ram-1024gb', { gpus: 16, hostRamGB: 1024, base: 'mi50-32gb' }],
  ])('split %s', (id, parts) => {
    expect(splitMachineId(id)).toEqual(parts);
  });

  it.each([
    [{ chip: 'rtx-3090', memoryGB: 24, gpus: 2, hostRamGB: 64 }, '2x-rtx-3090-ram-64gb'],
    [{ chip: 'rtx-3060', memoryGB: 12, gpus: 1, hostRamGB: null }, 'rtx-3060-12gb'],
    [{ chip: 'mi50', memoryGB: 32, gpus: 4, hostRamGB: null }, '4x-mi50-32gb'],
    // The memory goes in the id only when the chip shipped with more than one size (or is a Mac).
    [{ chip: 'rtx-4090', memoryGB: 24, gpus: 1, hostRamGB: null }, 'rtx-4090'],
    // A size it never shipped with (a modded 48 GB 4090) is said in the id.
    [{ chip: 'rtx-4090', memoryGB: 48, gpus: 1, hostRamGB: null }, 'rtx-4090-48gb'],
    [{ chip: 'm2-max', memoryGB: 96, gpus: 1, hostRamGB: null }, 'mac-studio-m2-max-96gb'],
    // Host RAM means nothing on unified memory.
    [{ chip: 'm2-max', memoryGB: 96, gpus: 1, hostRamGB: 64 }, 'mac-studio-m2-max-96gb'],
  ])('%o is %s', (p, id) => {
    const c = chip(p.chip);
    expect(
      machineId({ chip: c, variant: variantFor(c, p.memoryGB), gpus: p.gpus, hostRamGB: p.hostRamGB, form: formOf(c) }),
    ).toBe(id);
  });

  it('a memory size the chip never shipped with keeps the nearest variant’s figures', () => {
    const v = variantFor(chip('rtx-4090'), 48);
    expect(v).toMatchObject({ memoryGB: 48, note: expect.stringMatching(/48 GB as stated/) });
    expect(variantFor(chip('rtx-3060'), 12)).toBe(chip('rtx-3060').variants.find((x) => x.memoryGB === 12));
  });
});

describe('curated machines win', () => {
  it.each([
    ['rtx-5090', 32, 'rtx-5090'],
    ['m4-max', 128, 'mac-studio-m4-max-128gb'],
    ['gb10', 128, 'dgx-spark'],
    ['ryzen-ai-max-395', 128, 'ryzen-ai-max-395-128gb'],
  ] as const)('%s %i GB is the curated %s', (id, memoryGB, curated) => {
    const c = chip(id);
    const d = catalog.machine({ chip: c, variant: variantFor(c, memoryGB), gpus: 1, hostRamGB: null, form: formOf(c) });
    expect(d).toBe(catalog.devices.find((x) => x.id === curated));
  });
});

describe('ids that name no machine', () => {
  it.each([
    // Only the canonical spelling: the 3090 shipped in one size, so its id carries none.
    'rtx-3090-24gb',
    'gb10',
    'm4-max-128gb',
    '1x-rtx-3090',
    '17x-rtx-3090',
    'rtx-3090-ram-0gb',
    'macbook-pro-rtx-3090',
    'mac-studio-m4-max-128gb-ram-64gb',
    'no-such-chip',
    `${'x'.repeat(100)}`,
  ])('%s', (id) => {
    expect(catalog.device(id)).toBeUndefined();
  });

  // "a 16GB Mac" is generic-mac-16gb, as the grammar in machines.ts says (no form before it).
  it('generic-mac-16gb (the grammar in machines.ts)', () => {
    expect(catalog.device('generic-mac-16gb')?.id).toBe('generic-mac-16gb');
  });
  it('generic-gpu-16gb', () => {
    expect(catalog.device('generic-gpu-16gb')?.id).toBe('generic-gpu-16gb');
  });
});

describe('a small board idles at a few watts', () => {
  it('a Raspberry Pi 5 or a Jetson Nano idles below 10 W, a 45 W Snapdragon X laptop above 5 W', () => {
    const idle = (id: string) => catalog.device(id)!.record.power.idleW;
    expect(idle('raspberry-pi-5-8gb').high).toBeLessThan(10);
    expect(idle('jetson-nano-4gb').high).toBeLessThan(10);
    expect(idle('snapdragon-x-32gb').low).toBeGreaterThan(5);
  });
});
