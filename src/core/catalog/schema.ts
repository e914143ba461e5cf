/**
 * Zod schemas for everything in `data/`. The JSON files are parsed with these at load time, so a
 * typo in a number or a missing source stops the process at start instead of producing a wrong
 * verdict later. Every figure carries a `source` that is either a key of the file's `sources`
 * table or the literal `"estimate"` (then `note` says how it was estimated).
 */
import { z } from 'zod';

export const ESTIMATE = 'estimate';

const isoDate = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'date must be YYYY-MM or YYYY-MM-DD');

/** One entry of a file's bibliography. */
export const SourceEntrySchema = z.object({
  title: z.string().min(1),
  url: z.string().url().optional(),
  date: isoDate,
  /** `reported` = a third party's claim we display but never use as our estimate. */
  kind: z.enum(['spec', 'measured', 'reported', 'price', 'config', 'calibration']).default('spec'),
});
export type SourceEntry = z.infer<typeof SourceEntrySchema>;

const sourceRef = z.string().min(1);

/** A number with its provenance. */
export const FigureSchema = z.object({
  value: z.number().finite(),
  source: sourceRef,
  note: z.string().optional(),
});
export type Figure = z.infer<typeof FigureSchema>;

/** A low-high band with its provenance (prices, noise, reported ranges). */
export const RangeSchema = z
  .object({
    low: z.number().finite(),
    high: z.number().finite(),
    source: sourceRef,
    note: z.string().optional(),
  })
  .refine((r) => r.low <= r.high, 'low must not exceed high');
export type Range = z.infer<typeof RangeSchema>;

export const BackendSchema = z.enum(['cuda', 'metal', 'rocm', 'vulkan', 'cpu']);
export type Backend = z.infer<typeof BackendSchema>;

/** How much of the device's memory the GPU may hold weights in. */
export const GpuMemoryRuleSchema = z.discriminatedUnion('rule', [
  /** Discrete VRAM: all of it, less the driver/context reserve counted as runtime overhead. */
  z.object({ rule: z.literal('dedicated') }),
  /**
   * macOS wires only part of unified memory for the GPU by default; `sudo sysctl
   * iogpu.wired_limit_mb=<MB>` raises it. `raisedReserveGB` is what we advise leaving to macOS.
   */
  z.object({
    rule: z.literal('apple-wired'),
    defaultFraction: FigureSchema,
    raisedReserveGB: FigureSchema,
  }),
  /** Other unified designs (DGX Spark, Strix Halo): a usable figure for the GPU. */
  z.object({ rule: z.literal('fixed'), usableGB: FigureSchema }),
]);
export type GpuMemoryRule = z.infer<typeof GpuMemoryRuleSchema>;

export const DeviceRecordSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  name: z.string().min(1),
  /** Short label for tables and bar charts, at most 14 characters. */
  shortName: z.string().min(1).max(14),
  aliases: z.array(z.string()).default([]),
  vendor: z.enum(['nvidia', 'apple', 'amd', 'intel', 'cpu']),
  backend: BackendSchema,
  /** GPUs in the machine; more than one means llama.cpp layer split (adds memory, not bandwidth). */
  gpus: z.number().int().min(1).max(8),
  unified: z.boolean(),
  /** Per GPU; for unified machines the whole system memory. */
  memoryGB: FigureSchema,
  /** Per GPU, GB/s (1e9 bytes). */
  bandwidthGBs: FigureSchema,
  /** Dense FP16 tensor throughput per GPU (FP16 accumulate where the vendor states both). */
  fp16Tflops: FigureSchema,
  gpuMemory: GpuMemoryRuleSchema,
  /** Host RAM for discrete GPUs (where offloaded layers run); absent on unified machines. */
  host: z
    .object({
      memoryGB: FigureSchema,
      bandwidthGBs: FigureSchema,
    })
    .optional(),
  power: z.object({
    loadW: FigureSchema,
    idleW: RangeSchema,
  }),
  noise: z.object({
    loadDbA: RangeSchema,
    summary: z.string().min(1),
  }),
  formFactor: z.string().min(1),
  /** Price of the whole working machine in USD. */
  priceUSD: RangeSchema,
  priceDate: isoDate,
  /** For builds: the parts that make up priceUSD. */
  buildParts: z.array(z.object({ part: z.string(), low: z.number(), high: z.number(), source: sourceRef })).optional(),
  notes: z.array(z.string()).default([]),
});
export type DeviceRecord = z.infer<typeof DeviceRecordSchema>;

export const HardwareFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  devices: z.array(DeviceRecordSchema).min(1),
});
export type HardwareFile = z.infer<typeof HardwareFileSchema>;

/** Attention layout that changes how much KV cache a model needs. */
export const AttentionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full') }),
  /**
   * Interleaved sliding-window attention (Gemma 3, gpt-oss, Llama 4 chunked): only
   * `globalLayers` of `layers` keep the whole context; the others keep `window` tokens.
   */
  z.object({
    kind: z.literal('sliding'),
    window: z.number().int().positive(),
    globalLayers: z.number().int().nonnegative(),
    /** When the global layers' K/V shape differs from the sliding layers' (`kvHeads` x `headDim`). */
    globalKvHeads: z.number().int().positive().optional(),
    globalHeadDim: z.number().int().positive().optional(),
  }),
  /**
   * Multi-head latent attention (DeepSeek V2/V3/R1, Kimi K2): each layer caches one compressed
   * latent of `kvLoraRank` plus the `ropeHeadDim` rotary part per token, whatever the head count
   * (config.json `kv_lora_rank`, `qk_rope_head_dim`).
   */
  z.object({
    kind: z.literal('mla'),
    kvLoraRank: z.number().int().positive(),
    ropeHeadDim: z.number().int().nonnegative(),
  }),
  /**
   * Hybrid linear attention (Qwen3-Next, Qwen3.5, Granite 4 hybrids, Nemotron-H, Jamba): only
   * `fullLayers` of `layers` keep a KV cache (`kvHeads` x `headDim`); the linear or state-space
   * layers keep a fixed state of `stateMB` per sequence in all, whatever the context.
   */
  z.object({
    kind: z.literal('hybrid'),
    fullLayers: z.number().int().nonnegative(),
    stateMB: z.number().nonnegative(),
  }),
]);

export const ModelRecordSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+([-.][a-z0-9]+)*$/),
  name: z.string().min(1),
  family: z.string().min(1),
  /** Names people type: "L3 70B", "llama 3.3 70b". Lowercase comparisons are done by the parser. */
  aliases: z.array(z.string()).default([]),
  /** Ollama tags without quant suffix, e.g. "llama3.3:70b". */
  ollama: z.array(z.string()).default([]),
  /** Hugging Face repo ids (original, GGUF and MLX repos). */
  huggingface: z.array(z.string()).default([]),
  released: isoDate,
  paramsB: z.number().positive(),
  /** Equal to paramsB for dense models. */
  activeParamsB: z.number().positive(),
  /** vocab x hidden, in billions: the input embedding table is looked up, not streamed, per token. */
  embeddingParamsB: z.number().nonnegative(),
  tiedEmbeddings: z.boolean(),
  layers: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  maxContext: z.number().int().positive(),
  attention: AttentionSchema.default({ kind: 'full' }),
  moe: z.object({ experts: z.number().int().positive(), activeExperts: z.number().int().positive() }).optional(),
  /** Quantization the model is published in natively (gpt-oss: MXFP4). */
  nativeQuant: z.string().optional(),
  /** Multimodal: the vision projector file (`mmproj`, F16), loaded beside the weights to read images. */
  mmprojGB: FigureSchema.optional(),
  /** Known file sizes in GB (1e9 bytes), keyed by quant id from quants.json. */
  fileGB: z.record(z.string(), FigureSchema).default({}),
  /** Where the architecture figures come from (config.json of the official repo). */
  source: sourceRef,
  notes: z.array(z.string()).default([]),
  /** Tasks the model is commonly picked for; used to suggest alternatives. */
  tags: z.array(z.string()).default([]),
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/** Names that circulate but match no real model ("Llama 3 13B"): answered with real neighbours. */
export const PhantomModelSchema = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  nearest: z.array(z.string()).min(1),
  why: z.string().min(1),
  source: sourceRef,
});
export type PhantomModel = z.infer<typeof PhantomModelSchema>;

export const ModelsFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  models: z.array(ModelRecordSchema).min(1),
  phantoms: z.array(PhantomModelSchema).default([]),
});
export type ModelsFile = z.infer<typeof ModelsFileSchema>;
/** A file of data/models/: more LLMs with their own sources (it may be empty). */
export const MoreModelsFileSchema = ModelsFileSchema.extend({ models: z.array(ModelRecordSchema) });
export type MoreModelsFile = z.infer<typeof MoreModelsFileSchema>;

export const QuantRecordSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  format: z.enum(['gguf', 'mxfp4', 'mlx', 'float']),
  /** Kernel family: decode speed per byte differs between them (K-quants dequantize more). */
  family: z.enum(['float', 'legacy', 'k-quant', 'i-quant', 'mxfp4', 'mlx']),
  bitsPerWeight: FigureSchema,
  /** Backends that run it natively. */
  backends: z.array(BackendSchema).min(1),
  quality: z.string().min(1),
});
export type QuantRecord = z.infer<typeof QuantRecordSchema>;

export const QuantsFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  quants: z.array(QuantRecordSchema).min(1),
  kvCache: z.array(z.object({ id: z.string(), bytesPerElement: FigureSchema, note: z.string().optional() })),
});
export type QuantsFile = z.infer<typeof QuantsFileSchema>;

/** A figure somebody published: displayed with its source and checked against physics. */
export const ReportedFigureSchema = z.object({
  id: z.string().min(1),
  metric: z.enum(['decode-tps', 'image-its', 'power-w', 'cost-usd', 'memory-gb']),
  device: z.string().min(1),
  /** Catalog model id for LLM figures; workload name for images. */
  subject: z.string().min(1),
  quant: z.string().optional(),
  /** null where the claim is "cannot run". */
  low: z.number().nullable(),
  high: z.number().nullable(),
  unit: z.string().min(1),
  claim: z.string().min(1),
  source: sourceRef,
  resolution: z.string().optional(),
});
export type ReportedFigure = z.infer<typeof ReportedFigureSchema>;

export const BenchmarksFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  reported: z.array(ReportedFigureSchema),
});
export type BenchmarksFile = z.infer<typeof BenchmarksFileSchema>;

export const SupportLevelSchema = z.enum(['full', 'good', 'partial', 'limited', 'none']);
export type SupportLevel = z.infer<typeof SupportLevelSchema>;

export const WorkflowIdSchema = z.enum(['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'training', 'serving']);
export type WorkflowId = z.infer<typeof WorkflowIdSchema>;

export const WorkflowRecordSchema = z.object({
  id: WorkflowIdSchema,
  name: z.string(),
  aliases: z.array(z.string()).default([]),
  description: z.string(),
  /** Typical prompt length in tokens: decides how much time-to-first-token matters. */
  typicalPromptTokens: z.number().int().nonnegative(),
  /** Typical context to allocate when the user gives none. */
  defaultContextTokens: z.number().int().positive(),
  support: z.record(BackendSchema, z.object({ level: SupportLevelSchema, note: z.string() })),
  tools: z.array(z.string()),
  source: sourceRef,
});
export type WorkflowRecord = z.infer<typeof WorkflowRecordSchema>;

export const WorkflowsFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  workflows: z.array(WorkflowRecordSchema),
  /** The seed's framework table: what runs on CUDA and on Metal/MLX. */
  ecosystem: z.array(
    z.object({
      tool: z.string(),
      cuda: SupportLevelSchema,
      metal: SupportLevelSchema,
      note: z.string(),
      source: sourceRef,
    }),
  ),
  /** Interactive decode speed bands (tok/s) from the seed. */
  speedBands: z.object({
    realtime: FigureSchema,
    usable: FigureSchema,
    frustrating: FigureSchema,
  }),
  image: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      /** Resolution the reported it/s refer to. */
      baseResolution: z.number().int().positive(),
      defaultSteps: z.number().int().positive(),
      defaultResolution: z.number().int().positive(),
      /** Reported it/s per device id (a range). */
      itsPerDevice: z.record(z.string(), RangeSchema),
      support: z.record(BackendSchema, z.object({ level: SupportLevelSchema, note: z.string() })),
    }),
  ),
  video: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      support: z.record(BackendSchema, z.object({ level: SupportLevelSchema, note: z.string() })),
      minMemoryGB: FigureSchema,
      source: sourceRef,
    }),
  ),
});
export type WorkflowsFile = z.infer<typeof WorkflowsFileSchema>;

/** Output of `npm run calibrate`, consumed by the speed model. */
export const CalibrationFileSchema = z.object({
  fittedAt: isoDate,
  source: z.string(),
  points: z.number().int().nonnegative(),
  decode: z.partialRecord(
    BackendSchema,
    z.object({
      /** Fraction of the spec bandwidth that weight streaming achieves. */
      efficiency: z.number().positive().max(1.2),
      /** Fixed per-token cost per layer (kernel launches, synchronisation), milliseconds. */
      perLayerMs: z.number().nonnegative(),
      /** Extra cost per byte for block-quantized kernels, as a multiplier on the streaming time. */
      familyFactor: z.record(z.string(), z.number().positive()),
      /**
       * The per-layer cost of builds from before the backend's fixed-cost change (FIXED_COST_CHANGES),
       * fitted on their runs; answers are for current builds and use `perLayerMs`.
       */
      earlierBuildPerLayerMs: z.number().nonnegative().optional(),
      /**
       * The per-layer cost of current builds on each Apple generation with runs of its own ("m1": ...);
       * other devices take `perLayerMs`.
       */
      perLayerMsByGeneration: z.record(z.string(), z.number().nonnegative()).optional(),
    }),
  ),
  prefill: z.partialRecord(
    BackendSchema,
    z.object({
      efficiency: z.number().positive().max(1.5),
      /** The efficiency of builds from before the backend's prompt-kernel change (PROMPT_KERNEL_CHANGES). */
      earlierBuildEfficiency: z.number().positive().max(1.5).optional(),
    }),
  ),
  /** Host RAM streaming efficiency for weights and KV the CPU reads in an offload run. */
  hostEfficiency: z.number().positive().max(1),
  /** Milliseconds per GPU-CPU hand-over in an offload run (one per CPU expert layer per token). */
  hostRoundTripMs: z.number().nonnegative().optional(),
  /**
   * Runtimes with kernels of their own, fitted on their own runs: MLX (mlx-lm, LM Studio MLX) on
   * Apple GPUs, used for MLX quants.
   */
  runtimes: z
    .object({
      mlx: z.object({
        efficiency: z.number().positive().max(1.2),
        perLayerMs: z.number().nonnegative(),
        prefillEfficiency: z.number().positive().max(1.5),
        points: z.object({ decode: z.number().int(), prefill: z.number().int() }),
      }),
    })
    .partial()
    .optional(),
  /** Prefill attention runs at this share of each backend's GEMM efficiency (fitted on long prompts). */
  attentionFactor: z.partialRecord(BackendSchema, z.number().positive().max(3)).optional(),
  /** KV reads at depth cost this many times a weight byte (attention kernels are less efficient). */
  kvReadFactor: z.number().positive().max(4),
  residuals: z.object({
    decodeMedianAbsPct: z.number(),
    decodeP90AbsPct: z.number(),
    decodeWithin30Pct: z.number(),
    /** Leave-one-device-out: each device predicted by a fit that never saw it. */
    decodeHoldoutMedianAbsPct: z.number(),
    decodeHoldoutWithin30Pct: z.number(),
    prefillMedianAbsPct: z.number(),
    /** Log-ratio quantiles used for the displayed band. */
    decodeBand: z.object({ low: z.number(), high: z.number() }),
    prefillBand: z.object({ low: z.number(), high: z.number() }),
  }),
});
export type CalibrationFile = z.infer<typeof CalibrationFileSchema>;
