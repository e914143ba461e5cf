import { describe, expect, it } from 'vitest';
import { buildCatalog, CatalogError, publisherOf } from '../../../src/core/catalog/catalog.js';
import { catalog } from '../../helpers/catalog.js';

const files = () => structuredClone({ ...catalog.files, calibration: catalog.calibration });

function problems(change: (f: ReturnType<typeof files>) => void): string[] {
  const f = files();
  change(f);
  try {
    buildCatalog(f);
    return [];
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
}

describe('buildCatalog cross-checks, one line per problem, in file order', () => {
  it('the shipped data has none', () => expect(problems(() => {})).toEqual([]));
  it.each([
    [
      'a duplicated device id',
      (f: ReturnType<typeof files>) => f.hardware.devices.push(f.hardware.devices[0]!),
      [`duplicate device id ${catalog.devices[0]!.id}`],
    ],
    [
      'a reported figure for an unknown device and quant',
      (f: ReturnType<typeof files>) => Object.assign(f.benchmarks.reported[0]!, { device: 'rtx-9090', quant: 'Q9' }),
      [
        `reported ${catalog.reported()[0]!.id}: unknown device rtx-9090`,
        `reported ${catalog.reported()[0]!.id}: unknown quant Q9`,
      ],
    ],
    [
      'a source key the file does not list',
      (f: ReturnType<typeof files>) => (f.benchmarks.reported[0]!.source = 'nowhere'),
      ['benchmarks.reported[0]: source "nowhere" is not in the file\'s sources'],
    ],
  ])('%s', (_, change, want) => expect(problems(change)).toEqual(want));
});

describe('lookups instead of catalog.files', () => {
  it('reportedFor(device) is the reported figures of that device, in file order', () => {
    const id = catalog.reported()[0]!.device;
    expect(catalog.reportedFor(id)).toEqual(catalog.reported().filter((r) => r.device === id));
    expect(catalog.reportedFor('no-such-device')).toEqual([]);
  });
  it('phantoms, speed bands, image and video workloads come from their files', () => {
    expect(catalog.phantoms()).toBe(catalog.files.models.phantoms);
    expect(catalog.speedBands()).toBe(catalog.files.workflows.speedBands);
    expect(catalog.imageWorkloads()).toBe(catalog.files.workflows.image);
    expect(catalog.videoWorkloads()).toBe(catalog.files.workflows.video);
  });
  it('publisherOf: the title before its first colon', () => {
    expect(publisherOf('Compute Market: RTX 5090 vs Mac Studio')).toBe('Compute Market');
    expect(publisherOf('No colon')).toBe('No colon');
  });
});

describe('the data version', () => {
  it('changes when a chip or a media model changes, so pins computed before say they are stale', async () => {
    const nvidia = (await import('../../../data/machines/nvidia.json', { with: { type: 'json' } })).default;
    const media = (await import('../../../data/media-models.json', { with: { type: 'json' } })).default;
    const base = { ...catalog.files, calibration: catalog.calibration };
    const v = (machines: unknown[], m: unknown) =>
      buildCatalog({ ...structuredClone(base), machines, media: m }).dataVersion;
    const before = v([nvidia], media);
    const chips = structuredClone(nvidia);
    chips.chips[0]!.bandwidthGBs.value += 1;
    expect(v([chips], media)).not.toBe(before);
    const models = structuredClone(media);
    models.models[0]!.paramsB.value += 1;
    expect(v([nvidia], models)).not.toBe(before);
    expect(v([nvidia], media)).toBe(before);
  });
});
