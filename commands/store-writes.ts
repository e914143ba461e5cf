/**
 * A store write that did not reach the disk (full disk, I/O error) is an expected failure: the
 * command answers it plainly, saying what did not happen, instead of "Something went wrong". The
 * store has logged it; anything else a write throws is still a bug for the platform's boundary.
 */
import { StoreError } from '../src/store/store.js';
import type { Reply } from './types.js';

export function tryWrite<T>(write: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: write() };
  } catch (e) {
    if (e instanceof StoreError && e.code === 'WRITE_FAILED') return { ok: false };
    throw e;
  }
}

/** "Couldn't <what>: the bot's storage is failing, so <outcome>." */
export const writeFailed = (what: string, outcome: string): Reply => ({
  kind: 'error',
  error: { code: 'STORE_WRITE_FAILED', message: `Couldn't ${what}: the bot's storage is failing, so ${outcome}.`, hint: 'Try again later.' },
});
