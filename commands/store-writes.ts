/**
 * A store write that was refused is an expected failure: the command answers it plainly, saying
 * what did not happen, instead of "Something went wrong". Two kinds, because the member's next step
 * differs: BUSY (another process held the database lock past WRITE_BUSY_MS; trying again in a moment
 * works) and WRITE_FAILED (full disk, I/O error; it will not work until someone frees the disk). The
 * store has logged either; anything else a write throws is still a bug for the platform's boundary.
 */
import { StoreError } from '../src/store/store.js';
import type { Reply } from './types.js';

/** Why a write was refused. */
export type WriteRefusal = 'BUSY' | 'WRITE_FAILED';

export async function tryWrite<T>(
  write: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; refused: WriteRefusal }> {
  try {
    return { ok: true, value: await write() };
  } catch (e) {
    if (e instanceof StoreError && (e.code === 'WRITE_FAILED' || e.code === 'BUSY'))
      return { ok: false, refused: e.code };
    throw e;
  }
}

/**
 * "Couldn't <what>: the bot's storage is busy, so <outcome>." (try again in a moment), or "... is
 * failing, so <outcome>." (try again later). Pass the refusal tryWrite returned.
 */
export function writeFailed(what: string, outcome: string, refused: WriteRefusal = 'WRITE_FAILED'): Reply {
  const busy = refused === 'BUSY';
  return {
    kind: 'error',
    error: {
      code: busy ? 'STORE_BUSY' : 'STORE_WRITE_FAILED',
      message: `Couldn't ${what}: the bot's storage is ${busy ? 'busy' : 'failing'}, so ${outcome}.`,
      hint: busy ? 'Try again in a moment.' : 'Try again later.',
    },
  };
}

/**
 * The plain answer to a store failure that reached a platform's boundary (a read while the
 * database is unavailable or failing), or undefined for any other error, which stays a bug.
 */
export function storeTrouble(e: unknown): string | undefined {
  if (!(e instanceof StoreError) || (e.code !== 'BUSY' && e.code !== 'WRITE_FAILED')) return undefined;
  return e.code === 'BUSY'
    ? "The bot's storage is busy right now, so I couldn't do that. Try again in a moment."
    : "The bot's storage is failing right now, so I couldn't do that. Try again later.";
}
