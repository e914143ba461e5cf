/**
 * A minimal valid GGUF v3 header, written byte by byte as the spec lays it out (magic, version,
 * tensor count, metadata count, key/values, tensor infos, padding to the alignment), so that
 * @huggingface/gguf parses it as it would a real file's first megabytes.
 */

/** GGUF value types (ggml's gguf_type). */
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10 } as const;

export type GgufValue = number | bigint | string | boolean | number[] | string[];

export interface GgufTensor {
  name: string;
  shape: number[];
  /** ggml type: 0 F32, 1 F16, 12 Q4_K, 14 Q6_K. */
  type?: number;
}

class Writer {
  private parts: Buffer[] = [];
  length = 0;
  private push(b: Buffer) {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(n: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  f32(n: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  u64(n: number | bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  bytes(b: Buffer) {
    this.push(b);
  }
  done(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

function scalarType(v: number | bigint | string | boolean): number {
  if (typeof v === 'string') return T.STRING;
  if (typeof v === 'boolean') return T.BOOL;
  if (typeof v === 'bigint') return T.UINT64;
  if (!Number.isInteger(v)) return T.FLOAT32;
  return v < 0 ? T.INT32 : T.UINT32;
}

function writeScalar(w: Writer, type: number, v: number | bigint | string | boolean) {
  if (type === T.STRING) w.str(v as string);
  else if (type === T.BOOL) w.bytes(Buffer.from([v ? 1 : 0]));
  else if (type === T.UINT64) w.u64(v as bigint);
  else if (type === T.FLOAT32) w.f32(v as number);
  else if (type === T.INT32) w.i32(v as number);
  else w.u32(v as number);
}

/** The header bytes (padded to 32), ready to serve as a file's first bytes. */
export function buildGguf(kvs: Record<string, GgufValue>, tensors: GgufTensor[]): Uint8Array {
  const w = new Writer();
  w.bytes(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(Object.keys(kvs).length);
  for (const [key, value] of Object.entries(kvs)) {
    w.str(key);
    if (Array.isArray(value)) {
      w.u32(T.ARRAY);
      const sub =
        value.length && typeof value[0] === 'string'
          ? T.STRING
          : value.every((x) => Number.isInteger(x))
            ? T.INT32
            : T.FLOAT32;
      w.u32(sub);
      w.u64(value.length);
      for (const x of value) writeScalar(w, sub, x);
    } else {
      const type = scalarType(value);
      w.u32(type);
      writeScalar(w, type, value);
    }
  }
  let offset = 0n;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.shape.length);
    for (const d of t.shape) w.u64(d);
    w.u32(t.type ?? 0);
    w.u64(offset);
    offset += BigInt(t.shape.reduce((a, b) => a * b, 1) * 4);
  }
  const pad = (32 - (w.length % 32)) % 32;
  w.bytes(Buffer.alloc(pad));
  return w.done();
}

/** A small Llama-like model: 2 layers of 64 wide, a vocabulary of `vocab` tokens. */
export function tinyLlamaGguf(o: { arch?: string; vocab?: number; fileType?: number } = {}): {
  bytes: Uint8Array;
  parameters: number;
} {
  const arch = o.arch ?? 'llama';
  const vocab = o.vocab ?? 32;
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', shape: [64, vocab] },
    { name: 'blk.0.attn_q.weight', shape: [64, 64] },
    { name: 'blk.0.ffn_up.weight', shape: [64, 128] },
    { name: 'blk.1.attn_q.weight', shape: [64, 64] },
    { name: 'blk.1.ffn_up.weight', shape: [64, 128] },
  ];
  const bytes = buildGguf(
    {
      'general.architecture': arch,
      'general.name': 'Tiny',
      'general.file_type': o.fileType ?? 15,
      [`${arch}.block_count`]: 2,
      [`${arch}.context_length`]: 32768,
      [`${arch}.embedding_length`]: 64,
      [`${arch}.feed_forward_length`]: 128,
      [`${arch}.attention.head_count`]: 8,
      [`${arch}.attention.head_count_kv`]: 2,
      [`${arch}.rope.freq_base`]: 1000000.5,
      'tokenizer.ggml.model': 'gpt2',
      'tokenizer.ggml.tokens': Array.from({ length: vocab }, (_, i) => `t${i}`),
      'tokenizer.chat_template': 'x'.repeat(5000),
    },
    tensors,
  );
  return { bytes, parameters: tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0) };
}

/** The first bytes of a Llama-shaped 34B GGUF (60 layers 7168 wide, 56 heads, 8 KV heads), for lookup tests. */
export const MYSTERY_34B_HEADER = buildGguf(
  {
    'general.architecture': 'llama',
    'general.name': 'Mystery 34B',
    'llama.block_count': 60,
    'llama.context_length': 32768,
    'llama.embedding_length': 7168,
    'llama.feed_forward_length': 20480,
    'llama.attention.head_count': 56,
    'llama.attention.head_count_kv': 8,
  },
  [],
);
