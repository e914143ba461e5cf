/**
 * Expected failures are values with stable codes: the core never throws for bad input, each adapter
 * turns an error into a short ephemeral reply that says what to type instead.
 */
export type ErrorCode =
  | 'UNKNOWN_MODEL'
  | 'UNKNOWN_DEVICE'
  | 'UNKNOWN_QUANT'
  | 'UNKNOWN_WORKFLOW'
  | 'UNKNOWN_PRIORITY'
  | 'OUT_OF_RANGE'
  | 'INVALID_QUERY'
  | 'AMBIGUOUS_MODEL'
  /** A model looked up on the Hub or a registry came with numbers no model has. */
  | 'BAD_MODEL_DATA';

export interface CoreError {
  code: ErrorCode;
  /** One plain sentence for the user. */
  message: string;
  /** What to type instead. */
  hint?: string;
  /** Candidate names, when the input was close to several. */
  candidates?: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: CoreError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(
  code: ErrorCode,
  message: string,
  extra: Omit<CoreError, 'code' | 'message'> = {},
): Result<T> => ({ ok: false, error: { code, message, ...extra } });
