/**
 * Ed25519 verification of Discord's interaction requests over `timestamp + raw body`, with
 * Node's crypto. Discord sends bad signatures on purpose and removes endpoints that accept them.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER prefix that wraps a raw 32-byte Ed25519 key as SubjectPublicKeyInfo. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Requests older or newer than this are refused (replays, skewed clocks). */
export const MAX_SKEW_SECONDS = 300;

export function discordPublicKey(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

export function verifyDiscordRequest(
  key: KeyObject,
  timestamp: string | undefined,
  signatureHex: string | undefined,
  body: Buffer,
  nowSeconds = Date.now() / 1000,
): boolean {
  if (!timestamp || !signatureHex || !/^[0-9a-f]{128}$/i.test(signatureHex) || !/^\d{1,12}$/.test(timestamp))
    return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    // A malformed signature throws; it is simply invalid.
    return false;
  }
}

/** What the replay guard makes of a verified signature. */
export type Sighting = 'first' | 'replay' | 'outside-window' | 'full';

/** Timestamps per bucket, in seconds: a bucket is dropped whole once its newest timestamp has expired. */
const BUCKET_SECONDS = 10;

/**
 * Refuses a signature seen before, so a captured request cannot be replayed while its timestamp
 * is still inside the skew window. Signatures are remembered by time, not by count: the signed
 * timestamp cannot change without breaking the signature, so a replay carries the same timestamp,
 * and once `now - timestamp` passes the window no copy of the request can verify again. Signatures
 * are kept in buckets of 10 s of timestamps, one probe into one bucket per request, and a bucket is
 * dropped whole when its newest timestamp leaves the window.
 *
 * Memory is capped: past MAX_REMEMBERED live signatures the guard answers 'full' (the caller
 * refuses the request as busy) rather than forget one that could still be replayed. Each
 * signature costs 8 bytes in an open-addressing table kept between 3/8 and 3/4 full, 11-21 bytes
 * (a Set<number> costs ~40 on the heap). At the bench's ~5,000 req/s the guard holds ~1.5M
 * signatures in ~31 MB (bench/bodies.ts); the cap, 3,000,000, is twice that, in at most 64 MB.
 */
export class ReplayGuard {
  static readonly MAX_REMEMBERED = 3_000_000;
  private readonly buckets = new Map<number, FingerprintSet>();
  /** Tables of dropped buckets, cleared for the next ones: steady traffic then allocates nothing. */
  private readonly spare: FingerprintSet[] = [];
  private count = 0;
  private nextSweep = -Infinity;

  constructor(
    private readonly windowSeconds = MAX_SKEW_SECONDS,
    private readonly maxRemembered = ReplayGuard.MAX_REMEMBERED,
  ) {}

  /** Signatures remembered now. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the tables that hold them. */
  get bytes(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.bytes;
    return n;
  }

  /**
   * 'first' the first time a signature is presented, 'replay' after; 'outside-window' for a
   * timestamp no verified request can carry now; 'full' when remembering one more would pass the
   * cap. Call it only with a signature that verified (128 hex digits) and its timestamp.
   */
  admit(signatureHex: string, timestampSeconds: number, nowSeconds = Date.now() / 1000): Sighting {
    if (nowSeconds >= this.nextSweep) this.sweep(nowSeconds);
    if (!(Math.abs(nowSeconds - timestampSeconds) <= this.windowSeconds)) return 'outside-window';
    // The first 64 bits of an Ed25519 signature: among the ~50,000 signatures of one busy bucket, a
    // fresh one matches by chance about once in 10^14 requests.
    const hi = parseInt(signatureHex.slice(0, 8), 16) >>> 0;
    const lo = parseInt(signatureHex.slice(8, 16), 16) >>> 0;
    const key = Math.floor(timestampSeconds / BUCKET_SECONDS);
    let bucket = this.buckets.get(key);
    if (this.count >= this.maxRemembered) return bucket?.has(hi, lo) ? 'replay' : 'full';
    if (!bucket) this.buckets.set(key, (bucket = this.spare.pop() ?? new FingerprintSet()));
    if (!bucket.add(hi, lo)) return 'replay';
    this.count++;
    return 'first';
  }

  /** Drops every bucket whose newest timestamp is past the window; at most once a second. */
  private sweep(nowSeconds: number): void {
    for (const [key, bucket] of this.buckets) {
      if (nowSeconds - (key + 1) * BUCKET_SECONDS > this.windowSeconds) {
        this.buckets.delete(key);
        this.count -= bucket.size;
        // A table much larger than what it held is let go, so memory follows the rate down too.
        if (this.spare.length < 4 && bucket.bytes <= 64 * bucket.size) this.spare.push(bucket.clear());
      }
    }
    this.nextSweep = nowSeconds + 1;
  }
}

/**
 * A set of 64-bit fingerprints as pairs of 32-bit words in one typed array, linear probing, no
 * deletions (a bucket is dropped whole). (0, 0) marks an empty slot; a fingerprint of (0, 0) is
 * stored as all ones, which at worst refuses one fresh request in 2^64.
 */
class FingerprintSet {
  size = 0;
  private slots: Uint32Array;
  private mask: number;
  private shift: number;

  constructor(capacity = 256) {
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  clear(): this {
    this.slots.fill(0);
    this.size = 0;
    return this;
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) hi = lo = 0xffffffff;
    const s = this.slots;
    for (let i = this.home(hi, lo); ; i = (i + 1) & this.mask) {
      const h = s[2 * i]!;
      const l = s[2 * i + 1]!;
      if (h === hi && l === lo) return true;
      if (h === 0 && l === 0) return false;
    }
  }

  /** Adds a fingerprint; false if it was there already. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) hi = lo = 0xffffffff;
    if (this.size >= (this.mask + 1) * 0.75) this.grow();
    if (!this.insert(hi, lo)) return false;
    this.size++;
    return true;
  }

  /** First slot to probe: the top bits of a multiplicative hash, so patterned inputs spread too. */
  private home(hi: number, lo: number): number {
    return Math.imul(hi ^ lo, 0x9e3779b1) >>> this.shift;
  }

  private insert(hi: number, lo: number): boolean {
    const s = this.slots;
    let i = this.home(hi, lo);
    for (let h = s[2 * i]!, l = s[2 * i + 1]!; h !== 0 || l !== 0; h = s[2 * i]!, l = s[2 * i + 1]!) {
      if (h === hi && l === lo) return false;
      i = (i + 1) & this.mask;
    }
    s[2 * i] = hi;
    s[2 * i + 1] = lo;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.shift--;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}
