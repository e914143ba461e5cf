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
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

export function verifyDiscordRequest(key: KeyObject, timestamp: string | undefined, signatureHex: string | undefined, body: Buffer, nowSeconds = Date.now() / 1000): boolean {
  if (!timestamp || !signatureHex || !/^[0-9a-f]{128}$/i.test(signatureHex) || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    // A malformed signature throws; it is simply invalid.
    return false;
  }
}

/**
 * Refuses a signature seen before, so a captured request cannot be replayed while its timestamp
 * is still inside the skew window. A request is accepted at most MAX_SKEW_SECONDS from its
 * timestamp and so is its replay: remembering each signature for twice the window is enough.
 *
 * Two generations of 52-bit fingerprints (numbers, not strings): new signatures go into the
 * current one; when it is a double window old or holds half the cap, it becomes the previous one
 * and the old previous is dropped whole. Every signature is remembered for at least two windows
 * (or, under a flood, for at least MAX_REMEMBERED / 2 later requests), memory stays under about
 * 2 MB, and no request pays for deleting entries one by one.
 */
export class ReplayGuard {
  static readonly MAX_REMEMBERED = 50_000;
  private current = new Set<number>();
  private previous = new Set<number>();
  private currentSince: number | undefined;

  constructor(private readonly windowSeconds = MAX_SKEW_SECONDS) {}

  /** Signatures remembered now. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /**
   * True the first time a signature is presented; false for a replay. Call it only with a
   * signature that verified (128 hex digits).
   */
  firstSight(signatureHex: string, nowSeconds = Date.now() / 1000): boolean {
    this.currentSince ??= nowSeconds;
    if (nowSeconds - this.currentSince >= 2 * this.windowSeconds || this.current.size >= ReplayGuard.MAX_REMEMBERED / 2) {
      this.previous = this.current;
      this.current = new Set();
      this.currentSince = nowSeconds;
    }
    // The first 52 bits of an Ed25519 signature, exact in a double: a fresh signature matches one
    // of 50,000 remembered by chance about once in 10^11 requests.
    const fingerprint = parseInt(signatureHex.slice(0, 13), 16);
    if (this.current.has(fingerprint) || this.previous.has(fingerprint)) return false;
    this.current.add(fingerprint);
    return true;
  }
}
