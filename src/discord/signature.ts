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
 * Refuses a signature seen before while its timestamp is still inside the skew window, so a
 * captured request cannot be replayed. Entries leave when their timestamp falls out of the window
 * (the request would be refused as stale anyway), and at most MAX_REMEMBERED are kept: under a
 * flood the oldest go first, which bounds memory at a few MB.
 */
export class ReplayGuard {
  static readonly MAX_REMEMBERED = 50_000;
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowSeconds = MAX_SKEW_SECONDS) {}

  /** True the first time a signature is presented; false for a replay. */
  firstSight(signature: string, timestampSeconds: number, nowSeconds = Date.now() / 1000): boolean {
    for (const [sig, ts] of this.seen) {
      if (nowSeconds - ts <= this.windowSeconds && this.seen.size < ReplayGuard.MAX_REMEMBERED) break;
      this.seen.delete(sig);
    }
    // 32 hex digits of an Ed25519 signature are as unique as all 128, at a quarter of the memory.
    const key = signature.slice(0, 32);
    if (this.seen.has(key)) return false;
    this.seen.set(key, timestampSeconds);
    return true;
  }
}
