/**
 * What a lookup returns: the facts it learned, or an error value with a stable code and a message
 * that says what was tried. Nothing here throws for a remote's fault (a missing repo, a 500, a
 * stall, a 2 GB body): those are values, like the core's errors.
 */
import type { LearnedFacts } from '../core/catalog/learned-types.js';

export type LookupErrorCode =
  /** MODEL_LOOKUP=off: nothing was asked. */
  | 'OFF'
  /** The text is no repo id, URL or tag this lookup can ask about. */
  | 'BAD_REF'
  | 'NOT_FOUND'
  /** 401/403: a gated or private repo, without a token or with one that has no access. */
  | 'GATED'
  /** A dataset or a Space, or a repo with neither a config.json nor a GGUF file. */
  | 'NOT_A_MODEL'
  | 'TIMEOUT'
  /** The remote answered 5xx, 429 or something no client can use; or could not be reached. */
  | 'UPSTREAM'
  /** A body past its cap (JSON 2 MB, a GGUF header 8 MB). */
  | 'TOO_LARGE'
  /** A body that is not what the API answers: broken JSON, wrong shape, sizes that contradict each other. */
  | 'BAD_DATA';

export interface LookupError {
  code: LookupErrorCode;
  /** One or two plain sentences: what was asked, where, and what came back. Never a token. */
  message: string;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export type LookupResult = Result<LearnedFacts, LookupError>;

export const found = (value: LearnedFacts): LookupResult => ({ ok: true, value });
export const failed = (code: LookupErrorCode, message: string): LookupResult => ({
  ok: false,
  error: { code, message },
});

/** Thrown inside a lookup (through libraries that only know exceptions) and turned into a value at its edge. */
export class LookupFailure extends Error {
  constructor(
    readonly code: LookupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LookupFailure';
  }
}

/** Deadlines and caps of one lookup; tests shorten them. */
export interface LookupLimits {
  /** Each request, from sending it to the end of its body. */
  requestMs: number;
  /** The whole lookup, every request included. */
  totalMs: number;
  /** A JSON body (model info, tree page, config.json, manifest, config blob). */
  jsonBytes: number;
  /** All the ranged reads of one GGUF header together. */
  ggufBytes: number;
  /** Redirects followed per request. */
  redirects: number;
  /**
   * Requests in the whole lookup, redirects and pages included. A server that pages its file list
   * forever (a `Link: rel="next"` on every page) answered at once would otherwise keep the lookup
   * asking without ever yielding to its deadline's timer.
   */
  requests: number;
}

export const DEFAULT_LIMITS: LookupLimits = {
  requestMs: 1500,
  totalMs: 2500,
  jsonBytes: 2 * 1024 * 1024,
  ggufBytes: 8 * 1024 * 1024,
  redirects: 3,
  requests: 40,
};

/** What one lookup did on the wire, for logs and the bench. */
export interface LookupStats {
  requests: number;
  bytes: number;
  ggufBytes: number;
}
