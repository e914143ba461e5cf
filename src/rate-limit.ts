/**
 * Token buckets per user and per server: a burst is allowed, then a steady refill. A request over
 * the limit gets a short cooldown answer (the caller decides the words), never silence.
 */
import { LRUCache } from 'lru-cache';
import type { SharedGuards } from './store/port.js';

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

/**
 * Buckets kept at most. Past it the least recently used goes, which changes nothing at any
 * realistic rate: by the time 180,000 other users have asked, the oldest bucket has refilled
 * completely (a full bucket is the same as none). About 150 bytes a bucket.
 */
export const MAX_BUCKETS = 200_000;

/**
 * One kind of bucket (users or servers) in an LRU (lru-cache: a linked list over arrays), so
 * every call costs the same whether 10 or 100,000 users are active. Sweeping every bucket once
 * past 50,000, as before, cost about 1.4 ms a call at 100,000 active users.
 */
class Buckets {
  private readonly lru: LRUCache<string, Bucket>;

  constructor(
    private readonly spec: BucketSpec,
    max: number,
  ) {
    this.lru = new LRUCache({ max });
  }

  get size(): number {
    return this.lru.size;
  }

  /** The bucket for key, refilled to time t and made the most recently used. */
  touch(key: string, t: number): Bucket {
    const b = this.lru.get(key);
    if (!b) {
      const fresh = { tokens: this.spec.capacity, updated: t };
      this.lru.set(key, fresh);
      return fresh;
    }
    b.tokens = Math.min(this.spec.capacity, b.tokens + ((t - b.updated) / 60_000) * this.spec.perMinute);
    b.updated = t;
    return b;
  }

  wait(b: Bucket): number {
    return Math.max(1, Math.ceil(((1 - b.tokens) / this.spec.perMinute) * 60));
  }
}

/** Anything that decides a request's rate: this process's buckets, or the ones instances share. */
export interface Limiter {
  take(serverKey: string, userKey: string): RateDecision | Promise<RateDecision>;
}

export class RateLimiter implements Limiter {
  private readonly users: Buckets;
  private readonly servers: Buckets;

  constructor(
    config: RateLimitConfig = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = () => Date.now(),
    maxBuckets = MAX_BUCKETS,
  ) {
    // Servers are few; users get nearly all of the room.
    this.servers = new Buckets(config.server, Math.max(1, Math.floor(maxBuckets / 10)));
    this.users = new Buckets(config.user, Math.max(1, maxBuckets - Math.floor(maxBuckets / 10)));
  }

  /** Buckets held now (users and servers). */
  get size(): number {
    return this.users.size + this.servers.size;
  }

  /** Takes one token from the user's and the server's buckets, or says how long to wait. */
  take(serverKey: string, userKey: string): RateDecision {
    const t = this.now();
    const user = this.users.touch(`${serverKey}:${userKey}`, t);
    const server = this.servers.touch(serverKey, t);
    if (user.tokens < 1) return { ok: false, scope: 'user', retryAfterSeconds: this.users.wait(user) };
    if (server.tokens < 1) return { ok: false, scope: 'server', retryAfterSeconds: this.servers.wait(server) };
    user.tokens -= 1;
    server.tokens -= 1;
    return { ok: true };
  }
}

/**
 * The buckets every instance on a shared store uses: one atomic statement per check on the
 * database's clock, so a member alternating between instances is limited as by one. When the
 * database cannot answer in time this instance's own buckets decide (the answer is never held up
 * or refused for it).
 */
export class SharedRateLimiter implements Limiter {
  constructor(
    private readonly guards: SharedGuards,
    private readonly config: RateLimitConfig,
    private readonly local: RateLimiter = new RateLimiter(config),
  ) {}

  async take(serverKey: string, userKey: string): Promise<RateDecision> {
    return (
      (await this.guards.takeToken(`${serverKey}:${userKey}`, serverKey, this.config)) ??
      this.local.take(serverKey, userKey)
    );
  }
}

export function cooldownMessage(d: Extract<RateDecision, { ok: false }>): string {
  return d.scope === 'user'
    ? `Easy there: you've asked a lot in a short time. Try again in ${d.retryAfterSeconds} s.`
    : `This server is asking faster than I answer fairly. Try again in ${d.retryAfterSeconds} s.`;
}
