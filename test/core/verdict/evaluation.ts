/** A literal DeviceEvaluation for table tests of decide, words and flags: only what they read is meaningful. */
import type { DeviceEvaluation } from '../../../src/core/physics/evaluate.js';

type Overrides = Partial<Omit<DeviceEvaluation, 'memory' | 'cost'>> & {
  memory?: Partial<DeviceEvaluation['memory']>;
  totalUSD?: { low: number; high: number };
};

/** A machine drawing `inUseW` at the wall for the workflow (every activity alike), rated `loadW`. */
export function power(inUseW: number, loadW = inUseW): DeviceEvaluation['power'] {
  const at = (activity: string, watts: number) => ({
    activity,
    watts,
    band: { low: watts, high: watts },
    basis: 'estimate',
    note: '',
  });
  const activities = Object.fromEntries(
    ['decode', 'prefill', 'image', 'video', 'training'].map((a) => [a, at(a, inUseW)]),
  ) as unknown as DeviceEvaluation['power']['activities'];
  activities.idle = at('idle', 25) as DeviceEvaluation['power']['activities']['idle'];
  return {
    loadW,
    idleW: { low: 20, high: 30 },
    source: 's',
    activities,
    inUse: { watts: inUseW, band: { low: inUseW, high: inUseW }, shares: { decode: 1 } },
  };
}

export function evaluation(o: Overrides = {}): DeviceEvaluation {
  const { memory, totalUSD, ...rest } = o;
  const e: DeviceEvaluation = {
    id: 'a',
    name: 'Device A',
    shortName: 'A',
    backend: 'cuda',
    fit: 'gpu',
    memory: {
      requiredGB: 20,
      availableGB: 32,
      weightsGB: 17,
      weightsBasis: 'file',
      kvCacheGB: 2,
      overheadGB: 1,
      spillGB: 0,
      gpuShare: 1,
      needsRaisedLimit: false,
      basis: 'estimate',
      ...memory,
    } as DeviceEvaluation['memory'],
    quant: 'Q4_K_M',
    decodeTokensPerSec: 100,
    decodeBand: { low: 90, high: 110 },
    decodeBasis: 'estimate',
    prefillTokensPerSec: 5000,
    prefillBand: { low: 4500, high: 5500 },
    prefillBasis: 'estimate',
    timeToFirstTokenSec: 0.1,
    secondsPerRequest: 5.1,
    speedClass: 'realtime',
    calibrated: true,
    workflowSupport: { level: 'full', note: 'works' },
    images: [],
    video: [],
    fineTune: [],
    power: power(300),
    noise: { loadDbA: { low: 40, high: 45 }, summary: '' },
    priceUSD: { low: 2000, high: 2000 },
    priceDate: '2026-01',
    cost: { totalUSD: { low: 3000, high: 3000 } } as DeviceEvaluation['cost'],
    reported: [],
    ...rest,
  };
  return totalUSD ? { ...e, cost: { ...e.cost, totalUSD } } : e;
}
