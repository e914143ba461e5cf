/**
 * Token buckets per user and per server: a burst is allowed, then a steady refill. A request over
 * the limit gets a short cooldown answer (the caller decides the words), never silence.
 */
export interface BucketSpec {
  /** Tokens a bucket holds (the burst). */
  capacity: number;
  /** Tokens added per minute. */
  perMinute: number;
}

export interface RateLimitConfig {
  user: BucketSpec;
  server: BucketSpec;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  user: { capacity: 6, perMinute: 12 },
  server: { capacity: 60, perMinute: 240 },
};

interface Bucket {
  tokens: number;
  updated: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number; scope: 'user' | 'server' };

/** Buckets idle for this long are dropped, so memory stays bounded by active users. */
const IDLE_MS = 10 * 60_000;
const MAX_BUCKETS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes one token from the user's and the server's buckets, or says how long to wait. */
  take(serverKey: string, userKey: string): RateDecision {
    const t = this.now();
    if (this.buckets.size > MAX_BUCKETS) this.sweep(t);
    const user = this.refill(`u:${serverKey}:${userKey}`, this.config.user, t);
    const server = this.refill(`s:${serverKey}`, this.config.server, t);
    if (user.tokens < 1) return { ok: false, scope: 'user', retryAfterSeconds: this.wait(user, this.config.user) };
    if (server.tokens < 1) return { ok: false, scope: 'server', retryAfterSeconds: this.wait(server, this.config.server) };
    user.tokens -= 1;
    server.tokens -= 1;
    return { ok: true };
  }

  private refill(key: string, spec: BucketSpec, t: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: spec.capacity, updated: t };
      this.buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(spec.capacity, b.tokens + ((t - b.updated) / 60_000) * spec.perMinute);
    b.updated = t;
    return b;
  }

  private wait(b: Bucket, spec: BucketSpec): number {
    return Math.max(1, Math.ceil(((1 - b.tokens) / spec.perMinute) * 60));
  }

  private sweep(t: number) {
    for (const [k, b] of this.buckets) if (t - b.updated > IDLE_MS) this.buckets.delete(k);
  }
}

export function cooldownMessage(d: Extract<RateDecision, { ok: false }>): string {
  return d.scope === 'user'
    ? `Easy there: you've asked a lot in a short time. Try again in ${d.retryAfterSeconds} s.`
    : `This server is asking faster than I answer fairly. Try again in ${d.retryAfterSeconds} s.`;
}
