/**
 * What the edge (src/lookup/) learns about a model the catalog does not hold, from the Hugging Face
 * Hub or the Ollama registry, handed to the pure core (learned.ts) to become a model it can size.
 * Plain data: the lookup fills it, stores it in the cache as JSON, and never interprets it.
 */

export interface LearnedBasis {
  source: 'huggingface' | 'ollama';
  /** The reference as the user gave it, normalized: "org/repo" or "namespace/name:tag". */
  ref: string;
  /** Where it was read: the repo page or the registry manifest URL. */
  url: string;
  /** ISO date-time of the fetch. */
  fetchedAt: string;
  /** What was read: "model info", "config.json", "file sizes", "GGUF header", "manifest". */
  read: string[];
}

export interface LearnedFile {
  /** Path in the repo ("Qwen3-30B-A3B-Q4_K_M.gguf", "Q4_K_M/model-00001-of-00002.gguf") or the blob's media type. */
  path: string;
  /** Size in bytes (LFS size for LFS files). */
  bytes: number;
}

export interface LearnedFacts {
  basis: LearnedBasis;
  /** A display name: the repo's name or the Ollama model and tag. */
  name: string;
  /** Total parameters when the Hub says it (model info `safetensors.total`, or `gguf.total`). */
  parameters?: number;
  /** config.json of a Transformers repo, as parsed JSON (nested `text_config` allowed). */
  config?: Record<string, unknown>;
  /** GGUF metadata key/values of the weights file's header (e.g. "qwen3moe.block_count": 48). */
  gguf?: Record<string, unknown>;
  /** Parameters counted from the GGUF header's tensor shapes, when there is a header. */
  ggufParameters?: number;
  /** Every file with its size (GGUF files, split parts, the mmproj). */
  files: LearnedFile[];
  /**
   * The quant of the weights the reference names, when the source says it: an Ollama config blob's
   * `file_type` ("Q4_K_M"), or the `:Q4_K_M` of "hf.co/org/repo:Q4_K_M".
   */
  quant?: string;
}
