import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../../src/core/reports/read.js';
import {
  MAX_REPORT_CHARS,
  type Measurement,
  type ReportHints,
  type ReportReading,
} from '../../../src/core/reports/types.js';
import { catalog } from '../../helpers/catalog.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'reports');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();

/** A fixture as pasted: its "# source: <url>" line taken off. */
function fixture(name: string): { source: string; text: string } {
  const raw = readFileSync(join(DIR, name), 'utf8');
  const m = /^# source: (\S+)\n/.exec(raw);
  if (!m) throw new Error(`${name} has no "# source: <url>" line`);
  return { source: m[1]!, text: raw.slice(m[0].length) };
}

type Named = Pick<Measurement, 'device' | 'model' | 'quant' | 'runtime' | 'runtimeVersion'>;
/** [depthTokens, promptTokens, decodeTokensPerSec, prefillTokensPerSec] */
type Row = [number | null, number | null, number | null, number | null];
const runs = (named: Named, rows: Row[]): Measurement[] =>
  rows.map(([depthTokens, promptTokens, decodeTokensPerSec, prefillTokensPerSec]) => ({
    ...named,
    depthTokens,
    promptTokens,
    decodeTokensPerSec,
    prefillTokensPerSec,
  }));

const SPEED = 'decodeTokensPerSec|prefillTokensPerSec';
const COMBINED = 'left out 1 pp+tg row: prompt and generation timed together are neither speed';

interface Case {
  file: string;
  hints?: ReportHints;
  expected: ReportReading;
}

const DGX_GPT_OSS: Named = {
  device: null,
  model: 'gpt-oss-120b',
  quant: 'MXFP4',
  runtime: 'llama.cpp',
  runtimeVersion: '2f68ce7cf (6918)',
};
const DGX_QWEN: Named = { ...DGX_GPT_OSS, model: 'qwen3-coder-30b-a3b', quant: 'Q8_0' };
const RTX_4080: Named = {
  device: 'rtx-4080',
  model: 'qwen2.5-7b',
  quant: 'Q4_K_M',
  runtime: 'llama.cpp',
  runtimeVersion: '8cf427ff (5163)',
};

/** Every real paste of test/fixtures/reports and what it reads as (the hints are what each source says beside it). */
const CASES: Case[] = [
  {
    file: 'llama-bench-rtx-3090-ti-nkvo.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(
        { device: 'rtx-3090-ti', model: null, quant: 'Q4_0', runtime: 'llama.cpp', runtimeVersion: '32d9f7d9 (1786)' },
        [
          [0, 512, null, 4035.47],
          [0, null, 127.43, null],
          [0, 512, null, 237.84],
          [0, null, 59.99, null],
        ],
      ),
      missing: ['model'],
      notes: ['llama-bench names the architecture ("llama 7B"), which several models share: say which with --model'],
    },
  },
  {
    file: 'llama-bench-m3-ultra-llama-3.3-70b.txt',
    hints: { device: 'mac-studio-m3-ultra-512gb' },
    expected: {
      format: 'llama-bench',
      measurements: runs(
        {
          device: 'mac-studio-m3-ultra-512gb',
          model: 'llama-3.3-70b',
          quant: 'Q4_K_M',
          runtime: 'llama.cpp',
          runtimeVersion: '4d3726278 (7315)',
        },
        [
          [0, 512, null, 162.3],
          [0, 4096, null, 156.67],
          [0, null, 14.41, null],
        ],
      ),
      missing: [],
      notes: [COMBINED],
    },
  },
  {
    file: 'llama-bench-rx-580-vulkan.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(
        {
          device: 'rx-580-8gb',
          model: 'llama-3.2-3b',
          quant: 'Q4_K_M',
          runtime: 'llama.cpp',
          runtimeVersion: 'e598697d (4696)',
        },
        [
          [0, 512, null, 346.76],
          [0, 4096, null, 255.79],
          [0, null, 36.23, null],
        ],
      ),
      missing: [],
      notes: [
        COMBINED,
        'read "AMD Radeon RX 580 Series" as rx-580-8gb, its usual memory; give --device if it had another',
      ],
    },
  },
  {
    file: 'llama-bench-cpu-qwen3-next.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(
        {
          device: null,
          model: 'qwen3-next-80b-a3b',
          quant: 'IQ4_NL',
          runtime: 'llama.cpp',
          runtimeVersion: 'fb644247d (7431)',
        },
        [
          [0, 512, null, 64.4],
          [0, null, 6.65, null],
        ],
      ),
      missing: ['device'],
      notes: [],
    },
  },
  {
    file: 'llama-bench-m1-ultra-tinyllama.txt',
    hints: { device: 'mac-studio-m1-ultra-128gb' },
    expected: {
      format: 'llama-bench',
      measurements: runs(
        {
          device: 'mac-studio-m1-ultra-128gb',
          model: null,
          quant: 'Q4_K_M',
          runtime: 'llama.cpp',
          runtimeVersion: 'e9fd8dc (7825)',
        },
        [
          [0, 512, null, 5587.84],
          [0, 4096, null, 4381.75],
          [0, null, 242.56, null],
        ],
      ),
      missing: ['model'],
      notes: [
        COMBINED,
        '"tinyllama-1.1b-1t-openorca.Q4_K_M.gguf" is not a model the catalog knows: give --model with one it does',
      ],
    },
  },
  {
    file: 'llama-bench-dgx-spark-gpt-oss-120b.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(DGX_GPT_OSS, [
        [0, 2048, null, 1937.54],
        [0, null, 59.02, null],
        [4096, 2048, null, 1653.89],
        [4096, null, 53.95, null],
        [8192, 2048, null, 1580.6],
        [8192, null, 51.85, null],
        [16384, 2048, null, 1411.42],
        [16384, null, 48.03, null],
        [32768, 2048, null, 1155.4],
        [32768, null, 41.35, null],
      ]),
      missing: ['device'],
      notes: ['model read from llama-bench\'s "gpt-oss 120B": its fine-tunes read the same'],
    },
  },
  {
    // The Hugging Face link above the tables names the fine-tune that llama-bench's "qwen3moe 30B.A3B" does not;
    // the llama-batched-bench table beside it is no llama-bench table.
    file: 'llama-bench-dgx-spark-qwen3-coder.txt',
    hints: { device: 'dgx-spark' },
    expected: {
      format: 'llama-bench',
      measurements: runs({ ...DGX_QWEN, device: 'dgx-spark' }, [
        [0, 2048, null, 3175.62],
        [0, null, 60.92, null],
        [4096, 2048, null, 2704.06],
        [4096, null, 53.52, null],
        [8192, 2048, null, 2381.88],
        [8192, null, 48.58, null],
        [16384, 2048, null, 1900.91],
        [16384, null, 40.81, null],
        [32768, 2048, null, 1292.19],
        [32768, null, 30.8, null],
      ]),
      missing: [],
      notes: [],
    },
  },
  {
    file: 'llama-bench-csv-rtx-4080.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(RTX_4080, [
        [0, 512, null, 7285.68],
        [0, null, 119.92, null],
      ]),
      missing: [],
      notes: [],
    },
  },
  {
    file: 'llama-bench-json-rtx-4080.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(RTX_4080, [
        [0, 512, null, 7100],
        [0, null, 118.88, null],
      ]),
      missing: [],
      notes: [],
    },
  },
  {
    file: 'llama-bench-jsonl-rtx-4080.txt',
    expected: {
      format: 'llama-bench',
      measurements: runs(RTX_4080, [
        [0, 512, null, 7263.61],
        [0, null, 119.84, null],
      ]),
      missing: [],
      notes: [],
    },
  },
  {
    file: 'ollama-mistral.txt',
    expected: {
      format: 'ollama',
      measurements: runs({ device: null, model: 'mistral-7b', quant: null, runtime: 'ollama', runtimeVersion: null }, [
        [null, 11, 24.61, 53.77],
      ]),
      missing: ['device', 'quant'],
      notes: [],
    },
  },
  {
    file: 'ollama-llama2.txt',
    expected: {
      format: 'ollama',
      measurements: runs({ device: null, model: 'llama-2-7b', quant: null, runtime: 'ollama', runtimeVersion: null }, [
        [null, 21, 23.98, 90.75],
      ]),
      missing: ['device', 'quant'],
      notes: [],
    },
  },
  {
    file: 'ollama-gpt-oss-120b.txt',
    expected: {
      format: 'ollama',
      measurements: runs(
        { device: null, model: 'gpt-oss-120b', quant: 'MXFP4', runtime: 'ollama', runtimeVersion: null },
        [[null, 73, 3.35, 5.6]],
      ),
      missing: ['device'],
      notes: ['quant read as MXFP4, the only one gpt-oss-120b is published in'],
    },
  },
  {
    file: 'ollama-gpt-oss-20b-thinking.txt',
    expected: {
      format: 'ollama',
      measurements: runs(
        { device: null, model: 'gpt-oss-20b', quant: 'MXFP4', runtime: 'ollama', runtimeVersion: null },
        [[null, 76, 36.97, 15.35]],
      ),
      missing: ['device'],
      notes: ['quant read as MXFP4, the only one gpt-oss-20b is published in'],
    },
  },
  {
    file: 'ollama-stats-only.txt',
    expected: {
      format: 'ollama',
      measurements: runs({ device: null, model: null, quant: null, runtime: 'ollama', runtimeVersion: null }, [
        [null, 13, 8.87, 0.66],
      ]),
      missing: ['device', 'model', 'quant'],
      notes: [],
    },
  },
  {
    // The issue says "Mac mini 64GB Ram" and "Mac mini M4 Pro".
    file: 'mlx-lm-m4-pro-llama-3.1-8b.txt',
    hints: { device: 'mac mini m4 pro 64gb' },
    expected: {
      format: 'mlx-lm',
      measurements: runs(
        {
          device: 'mac-mini-m4-pro-64gb',
          model: 'llama-3.1-8b',
          quant: 'MLX-4bit',
          runtime: 'mlx',
          runtimeVersion: null,
        },
        [[0, 32159, 23.15, 261.79]],
      ),
      missing: [],
      notes: [],
    },
  },
  {
    // The pull request says "4-bit Mistral 7B on M2 Ultra": the M2 Ultra's memory is not said.
    file: 'mlx-lm-prompt-only-two-runs.txt',
    hints: { device: 'M2 Ultra', model: '4-bit Mistral 7B' },
    expected: {
      format: 'mlx-lm',
      measurements: runs(
        { device: null, model: 'mistral-7b', quant: 'MLX-4bit', runtime: 'mlx', runtimeVersion: null },
        [
          [0, 33898, null, 676.21],
          [0, 33898, null, 869.28],
        ],
      ),
      missing: ['device'],
      notes: ['Apple M2 Ultra came with 64/128/192 GB: say which with --device (e.g. mac-studio-m2-ultra-64gb)'],
    },
  },
  {
    file: 'mlx-lm-qwen3.6-27b-fp16.txt',
    expected: {
      format: 'mlx-lm',
      measurements: runs({ device: null, model: null, quant: 'F16', runtime: 'mlx', runtimeVersion: null }, [
        [0, 17, 20.37, 42],
      ]),
      missing: ['device', 'model'],
      notes: [
        '"Youssofal--Qwen3.6-27B-MTPLX-Optimized-Speed-fp16" is not a model the catalog knows: give --model with one it does',
      ],
    },
  },
  {
    file: 'lm-studio-gemma-3-27b-before-after.txt',
    expected: {
      format: 'lm-studio',
      measurements: runs(
        { device: null, model: 'gemma-3-27b', quant: null, runtime: 'lm-studio', runtimeVersion: null },
        [
          [null, null, 4.59, null],
          [null, null, 0.31, null],
        ],
      ),
      missing: ['device', 'quant'],
      notes: [],
    },
  },
  {
    // The title: "Llama 3.1 8B Q4_K_M NVIDIA RTX 3080".
    file: 'fields-rtx-3080-llama-3.1-8b.txt',
    hints: { device: 'NVIDIA RTX 3080', model: 'Llama 3.1 8B Q4_K_M' },
    expected: {
      format: 'fields',
      measurements: runs(
        {
          device: 'rtx-3080-10gb',
          model: 'llama-3.1-8b',
          quant: 'Q4_K_M',
          runtime: 'llama.cpp',
          runtimeVersion: '93bc3839 (3622)',
        },
        [[null, null, 111.95, 3806.89]],
      ),
      missing: [],
      notes: ['read "NVIDIA RTX 3080" as rtx-3080-10gb, its usual memory; give --device if it had another'],
    },
  },
  {
    // The title: "llama3 8b Q6 RTX 4090 llama.cpp".
    file: 'fields-rtx-4090-llama3-8b-q6.txt',
    hints: { device: 'RTX 4090', model: 'llama3 8b Q6' },
    expected: {
      format: 'fields',
      measurements: runs(
        { device: 'rtx-4090', model: 'llama-3-8b', quant: 'Q6_K', runtime: 'llama.cpp', runtimeVersion: null },
        [[null, null, 93, 4668]],
      ),
      missing: [],
      notes: [],
    },
  },
];

describe('the real pastes of test/fixtures/reports', () => {
  it('each says where it was pasted, and every format is covered by several', () => {
    for (const f of FILES) expect(fixture(f).source).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\//);
    const count = (prefix: string) => FILES.filter((f) => f.startsWith(prefix)).length;
    expect(FILES.length).toBeGreaterThanOrEqual(12);
    expect(count('llama-bench-')).toBeGreaterThanOrEqual(3);
    expect(count('ollama-')).toBeGreaterThanOrEqual(2);
    expect(count('mlx-lm-')).toBeGreaterThanOrEqual(2);
    expect(count('lm-studio-')).toBeGreaterThanOrEqual(1);
  });

  it('every fixture has a case below', () => {
    expect(CASES.map((c) => c.file).sort()).toEqual(FILES);
  });

  it.each(CASES.map((c) => [c.file, c] as const))('%s', (_file, { file, hints, expected }) => {
    expect(readReport(fixture(file).text, catalog, hints)).toEqual(expected);
  });
});

describe('hints and the paste', () => {
  const m3 = fixture('llama-bench-m3-ultra-llama-3.3-70b.txt').text;

  it('a Mac named without its memory is no machine yet: the reading asks for it', () => {
    const r = readReport(m3, catalog, { device: 'M3 Ultra' });
    expect(r.measurements.map((m) => m.device)).toEqual([null, null, null]);
    expect(r.missing).toEqual(['device']);
    expect(r.notes).toContain(
      'Apple M3 Ultra came with 96/256/512 GB: say which with --device (e.g. mac-studio-m3-ultra-96gb)',
    );
  });

  it('what the paste names wins over a hint that disagrees, and the disagreement is said', () => {
    const ti = fixture('llama-bench-rtx-3090-ti-nkvo.txt').text;
    const r = readReport(ti, catalog, { device: 'rtx-4090', model: 'llama 2 7b' });
    expect(r.measurements.map((m) => [m.device, m.model])).toEqual(Array(4).fill(['rtx-3090-ti', 'llama-2-7b']));
    expect(r.notes).toEqual(["--device rtx-4090 is not the rtx-3090-ti the paste names: kept the paste's"]);
    const spark = readReport(fixture('llama-bench-dgx-spark-gpt-oss-120b.txt').text, catalog, { model: 'qwen3 32b' });
    expect(spark.measurements[0]!.model).toBe('gpt-oss-120b');
    expect(spark.notes).toEqual(["--model qwen3-32b is not the gpt-oss-120b the paste names: kept the paste's"]);
  });

  it("a hint's quant fills what the paste does not say", () => {
    const r = readReport(fixture('ollama-mistral.txt').text, catalog, {
      model: 'mistral 7b q4_0',
      device: '3060 12gb',
    });
    expect(r.measurements[0]).toMatchObject({ device: 'rtx-3060-12gb', model: 'mistral-7b', quant: 'Q4_0' });
    expect(r.missing).toEqual([]);
  });
});

describe('fields typed by hand', () => {
  it("the issue's own example", () => {
    const text = 'machine: 4090, model: qwen3 32b q4_k_m, decode 38 tok/s, prefill 2100 tok/s, depth 8k';
    expect(readReport(text, catalog)).toEqual({
      format: 'fields',
      measurements: runs(
        { device: 'rtx-4090', model: 'qwen3-32b', quant: 'Q4_K_M', runtime: null, runtimeVersion: null },
        [[8192, null, 38, 2100]],
      ),
      missing: [],
      notes: [],
    });
  });
});

describe('what is not a report', () => {
  it('an empty or unrelated paste reads as nothing, and asks for everything the hints do not give', () => {
    for (const text of ['', 'hello, how fast is a 5090?', '| a | b |\n| - | - |\n| 1 | 2 |']) {
      const r = readReport(text, catalog, { device: 'rtx-5090' });
      expect(r.format).toBe('unknown');
      expect(r.measurements).toEqual([]);
      expect(r.missing).toEqual(['model', 'quant', SPEED]);
    }
  });

  it(`a paste over ${MAX_REPORT_CHARS} characters is refused, not cut`, () => {
    const table = fixture('llama-bench-dgx-spark-gpt-oss-120b.txt').text;
    const r = readReport(table + ' '.repeat(MAX_REPORT_CHARS), catalog);
    expect(r).toMatchObject({ format: 'unknown', measurements: [], missing: ['device', 'model', 'quant', SPEED] });
    expect(r.notes[0]).toMatch(/longer than the 20000 characters/);
    expect(readReport(table.padEnd(MAX_REPORT_CHARS), catalog).measurements).toHaveLength(10);
  });

  it('never throws, whatever it is given', () => {
    const pieces = FILES.map((f) => fixture(f).text);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.tuple(fc.constantFrom(...pieces), fc.nat(), fc.nat()).map(([t, a, b]) => t.slice(a % t.length, b)),
          fc
            .tuple(fc.constantFrom(...pieces), fc.string({ maxLength: 40 }), fc.nat())
            .map(([t, s, at]) => t.slice(0, at % t.length) + s + t.slice(at % t.length)),
        ),
        fc.record({ device: fc.string({ maxLength: 60 }), model: fc.string({ maxLength: 60 }) }, { requiredKeys: [] }),
        (text, hints) => {
          const r = readReport(text, catalog, hints);
          expect(Array.isArray(r.measurements) && Array.isArray(r.missing) && Array.isArray(r.notes)).toBe(true);
          for (const m of r.measurements)
            expect(m.decodeTokensPerSec !== null || m.prefillTokensPerSec !== null).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(readReport(undefined as unknown as string, catalog).format).toBe('unknown');
  });
});

describe('adversarial pastes at the length cap are read in linear time', () => {
  const cap = (unit: string) => unit.repeat(Math.ceil(MAX_REPORT_CHARS / unit.length)).slice(0, MAX_REPORT_CHARS);
  // Shapes aimed at each reader's patterns: a key then a run of blanks (the fields reader), table pipes and
  // rules (llama-bench), repeated statistics lines (ollama, mlx_lm, LM Studio), paths and links (model names).
  const SHAPES: [string, string][] = (
    [
      ['"decode" then a run of spaces', `decode${' '.repeat(MAX_REPORT_CHARS - 6)}`],
      ['"prompt" then a run of tabs', `prompt${'\t'.repeat(MAX_REPORT_CHARS - 6)}`],
      ['"depth" then a run of spaces', `depth${' '.repeat(MAX_REPORT_CHARS - 5)}`],
      ['a number then a run of spaces', `38${' '.repeat(MAX_REPORT_CHARS - 2)}`],
      ['pipes', cap('|')],
      ['a table rule', `| model | test | t/s |\n${cap('| --- ')}`],
      ['table rows', `| model | test | t/s |\n| - | - | - |\n${cap('| llama 8B Q4_0 | pp512 | 1.0 ± 0.1 |\n')}`],
      ['digits', cap('9')],
      ['speed words', cap('decode 1 tok/s prefill ')],
      ['ollama lines', cap('eval rate: 1 tokens/s\n')],
      ['mlx lines', cap('Prompt: 1 tokens, 1 tokens-per-sec\n')],
      ['LM Studio lines', cap('1 tok/sec • 1 tokens • 1s to first token\n')],
      ['model paths', cap('-m a/b/c.gguf ')],
      ['one long path', `-m ${'a/'.repeat(MAX_REPORT_CHARS / 2 - 2)}`],
      ['GGUF words', cap('x.gguf ')],
      ['links', cap('![a](https://b) ')],
      ['device lines', cap('  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9\n')],
      ['CSV quotes', `model_type,avg_ts\n${cap('"')}`],
      ['brackets', `[${cap('{"avg_ts": 1, ')}`],
      ['letters and digits', cap('rtx4090 ')],
    ] as [string, string][]
  ).map(([name, text]) => [name, text.slice(0, MAX_REPORT_CHARS)]);

  /** The fastest of a few runs: the machine is shared, and a slow run says more about it than about the reader. */
  const fastest = (text: string, runs: number) => {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      readReport(text, catalog);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };

  it.each(SHAPES)('%s', (_name, text) => {
    readReport(text, catalog);
    expect(fastest(text, 3)).toBeLessThan(250);
  });

  // Absolute bounds miss a slow-growing shape: each shape is also timed at a quarter of the cap; linear time grows
  // 4x, quadratic 16x.
  it.each(SHAPES)('%s: four times the text takes about four times as long', (_name, text) => {
    const quarter = text.slice(0, MAX_REPORT_CHARS / 4);
    readReport(text, catalog);
    expect(fastest(text, 7)).toBeLessThan(8 * fastest(quarter, 7) + 5);
  });
});
