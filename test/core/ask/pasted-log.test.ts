import { describe, expect, it } from 'vitest';
import { ask } from '../../../src/core/ask/ask.js';
import { readPastedLog } from '../../../src/core/ask/pasted-log.js';
import { catalog } from '../../helpers/catalog.js';

// What llama.cpp prints while loading a GGUF (llama_model_loader's key dump, print_info on current
// builds, llm_load_print_meta on older ones), as people paste it: line breaks folded into spaces.
const fold = (lines: string[]) => lines.join('\n').replace(/\s+/g, ' ');
const CURRENT_BUILD = fold([
  'llama_model_loader: loaded meta data with 35 key-value pairs and 579 tensors from /models/model.gguf (version GGUF V3 (latest))',
  'llama_model_loader: - kv   0:                       general.architecture str              = qwen3moe',
  'llama_model_loader: - kv   2:                               general.name str              = Qwen3 30B A3B Instruct 2507',
  'llama_model_loader: - kv   5:                           general.basename str              = Qwen3',
  'llama_model_loader: - kv   6:                         general.size_label str              = 30B-A3B',
  'print_info: file type   = Q4_K - Medium',
  'print_info: file size   = 17.28 GiB (4.86 BPW)',
]);
const OLD_BUILD = fold([
  'llm_load_print_meta: model type       = 8B',
  'llm_load_print_meta: model ftype      = Q8_0',
  'llm_load_print_meta: general.name     = Meta Llama 3.1 8B Instruct',
  "llm_load_print_meta: BOS token        = 128000 '<|begin_of_text|>'",
]);

describe('a pasted llama.cpp log', () => {
  it("names the model that ran (general.name) and its quant (file type), whatever the build's format", () => {
    expect(readPastedLog(CURRENT_BUILD)).toMatchObject({ name: 'Qwen3 30B A3B Instruct 2507', quant: 'Q4_K_M' });
    expect(readPastedLog(OLD_BUILD)).toMatchObject({ name: 'Meta Llama 3.1 8B Instruct', quant: 'Q8_0' });
  });

  it('adds the size label when the name has no size', () => {
    const log = fold([
      'llama_model_loader: - kv 2: general.name str = Qwen3',
      'llama_model_loader: - kv 6: general.size_label str = 32B',
    ]);
    expect(readPastedLog(log).name).toBe('Qwen3 32B');
  });

  it('is nothing when the text has no log', () => {
    expect(readPastedLog('is 12 t/s normal for qwen3 30b on a 3090?')).toEqual({ name: null, quant: null, spans: [] });
  });

  it('answers for the model and quant of the log, never for a log identifier', () => {
    const a = ask(catalog, `why only 15 t/s on my 4060 8gb? ${OLD_BUILD}`);
    expect(a.reading.model?.name).toBe('Llama 3.1 8B');
    expect(a.reading.quant).toBe('Q8_0');
    const q = ask(catalog, `is 12 t/s normal on my 3090? ${CURRENT_BUILD}`);
    expect(q.reading.model?.id).toBe('qwen3-30b-a3b');
    expect(q.answer?.verdict.headline).toContain('Q4_K_M');
    const nameless = ask(
      catalog,
      'llama_model_loader: loaded meta data with 26 key-value pairs, on my 3060 12gb: is that slow?',
    );
    expect(nameless.reading.model?.name ?? '').not.toMatch(/llama_model_loader/);
  });
});
