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
 * Refuses a signature seen before within the skew window: a captured request cannot be replayed.
 * Memory is bounded by the window (entries older than it are dropped as new ones arrive).
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowSeconds = MAX_SKEW_SECONDS) {}

  /** True the first time a signature is presented; false for a replay. */
  firstSight(signature: string, nowSeconds = Date.now() / 1000): boolean {
    if (this.seen.size > 1000) {
      for (const [sig, at] of this.seen) {
        if (nowSeconds - at > this.windowSeconds * 2) this.seen.delete(sig);
        else break;
      }
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowSeconds);
    return true;
  }
}
