/**
 * What a pasted llama.cpp log says about the model. People paste the loader's output with their
 * question ("llama_model_loader: - kv 2: general.name str = Qwen3 30B A3B Instruct 2507",
 * "print_info: file type = Q4_K - Medium"); its identifiers are not model names, and its
 * `general.name` is the model that ran. Line breaks arrive folded into spaces, so a value ends where
 * the next log key begins.
 */

/** A log's own words: "llama_model_loader:", "print_info:", "general.size_label", "llm_load_print_meta". */
const LOG_MARK =
  /\b(llama_model_loader|print_info|llm_load_print_meta|llm_load_tensors|load_tensors|llama_context|llama_new_context_with_model|ggml_cuda_init|ggml_metal_init):/;
const IDENTIFIER =
  /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+:?|\bgeneral\.[a-z_.]+|\b[a-z]+\.(?:context_length|block_count|embedding_length|attention\.[a-z_.]+)/gi;
/** Where a value stops: the next key, a dump marker ("- kv 3:"), a type word or the end of a sentence. */
const VALUE_END = /[_:=]|^-$|^[a-z]+\.[a-z]+|^(str|u32|u64|i32|f32|bool|arr)$/i;

/** "Q4_K - Medium" -> Q4_K_M; "Q8_0", "F16", "BF16", "MXFP4 MoE" as the loader writes them. */
const FILE_TYPE =
  /\b(?:file type|ftype)\s+(?:str\s+)?=\s*(q\d_k - (?:small|medium|large)|iq\d_\w+|q\d_\d|q\d_k|bf16|f16|f32|mxfp4)/i;

export interface PastedLog {
  /** The model named in the log ("Qwen3 30B A3B Instruct 2507"), with its size label when the name lacks one. */
  name: string | null;
  /** The quant the log reports, in the catalog's spelling (Q4_K_M). */
  quant: string | null;
  /** Character ranges of log identifiers, not to be read as model names. */
  spans: [number, number][];
}

const NONE: PastedLog = { name: null, quant: null, spans: [] };

/** The value after `key ... =`: its words up to the next key. */
function valueOf(text: string, key: RegExp): string | null {
  const m = key.exec(text);
  if (!m) return null;
  const words: string[] = [];
  for (const w of text
    .slice(m.index + m[0].length)
    .trim()
    .split(' ')) {
    if (!w || VALUE_END.test(w) || words.length >= 8) break;
    words.push(w);
  }
  return words.length ? words.join(' ') : null;
}

/** Reads a pasted llama.cpp log in a question; nothing when the text has none. */
export function readPastedLog(text: string): PastedLog {
  if (!LOG_MARK.test(text)) return NONE;
  const spans: [number, number][] = [];
  for (const m of text.matchAll(IDENTIFIER)) spans.push([m.index, m.index + m[0].length]);
  let name = valueOf(text, /\bgeneral\.name\s+(?:str\s+)?=\s*/);
  const size = valueOf(text, /\bgeneral\.size_label\s+(?:str\s+)?=\s*/);
  if (name && size && !/\d+(\.\d+)?\s*[bm]\b/i.test(name)) name = `${name} ${size}`;
  const type = FILE_TYPE.exec(text)?.[1];
  const quant = type ? type.toUpperCase().replace(/ - (S|M|L)\w*$/, '_$1') : null;
  return { name, quant, spans };
}
