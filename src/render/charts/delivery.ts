/**
 * Charts on the bots' answer path (issue 18): each verdict's or plan's chart is rendered once, off
 * the event loop (svgToPngAsync), and an answer waits for it only within a budget. Verdict and plan
 * objects come from the commands' caches, so a repeated question finds its chart here and costs
 * nothing. A chart that is late is left out of that answer (its rendering goes on and serves the
 * next one); a chart that fails, or an answer that has none, goes as text. Nothing here throws.
 */
import { availableParallelism } from 'node:os';
import { LRUCache } from 'lru-cache';
import type { Catalog, Plan, Verdict } from '../../core/index.js';
import type { Logger } from '../../log.js';

/** A chart as the bots send it: the PNG, its file name and its alt text. */
export interface ChartFile {
  name: string;
  png: Buffer;
  alt: string;
}

export type ChartSubject = { kind: 'verdict'; verdict: Verdict } | { kind: 'plan'; plan: Plan };

/** Renders one chart; undefined when the answer has none. The default renders off the loop; tests inject one that throws or stalls. */
export type ChartRenderer = (subject: ChartSubject, catalog: Catalog) => Promise<ChartFile | undefined>;

/**
 * An answer waits this long for its chart, from the moment it asks: Discord's 3 s minus the rest
 * of the answer's path with room to spare. A chart takes ~50-90 ms alone (bench), so only a queue
 * of other charts, or a starved machine, makes one late.
 */
export const CHART_BUDGET_MS = 700;
/**
 * Charts rendered at once: one on a machine of two cores or fewer, else two. Each holds a thread of
 * libuv's pool (4 by default) while resvg draws and zlib compresses, and a core while it does.
 * Measured on the 2-core VM under a flood of new questions (16 connections, every question new,
 * so every answer wants a chart drawn): one at a time answered 50-86 req/s with a p50 of 13-26 ms
 * and 5-8% of answers carrying their chart; two at a time 30-57 req/s with a p50 of 86-500 ms and
 * 45-100% charted. A machine that keeps its answers quick under load matters more than the charts.
 * Rendering alone, one at a time also holds ~50 MB less memory than two (drawn images wait for V8's
 * collector, which does not count their pixels).
 */
export const CHART_CONCURRENCY = availableParallelism() <= 2 ? 1 : 2;
/** Charts waiting for a turn; past it an answer goes without one at once rather than queue for nothing. */
export const CHART_QUEUE = 16;
/**
 * Rendered charts kept, by PNG bytes (~50 KB each: ~300 charts, the hottest of the 1,000 verdicts
 * the commands keep). Small, so that RSS stays well under the 120 MB the README promises.
 */
export const CHART_CACHE_BYTES = 16 * 1024 * 1024;
/** Dropped and failed charts are logged at most this often. */
const WARN_EVERY_MS = 60_000;

let modules: Promise<[typeof import('./index.js'), typeof import('./png.js')]> | undefined;

/**
 * The default renderer. Its modules (resvg's native binding, the panels) load on the first chart,
 * not at start, and are kept: an import() per chart goes through the module loader each time.
 */
export const renderChart: ChartRenderer = async (subject, catalog) => {
  const [{ chartSvgForPlan, chartSvgForVerdict }, { svgToPngAsync }] = await (modules ??= Promise.all([
    import('./index.js'),
    import('./png.js'),
  ]));
  const spec =
    subject.kind === 'verdict' ? chartSvgForVerdict(subject.verdict, { catalog }) : chartSvgForPlan(subject.plan);
  if (!spec) return undefined;
  const { png } = await svgToPngAsync(spec.svg);
  return { name: spec.name, png, alt: spec.alt };
};

export interface ChartDeliveryOptions {
  catalog: Catalog;
  log: Logger;
  render?: ChartRenderer;
  budgetMs?: number;
  concurrency?: number;
  queue?: number;
}

/** A settled chart in the cache: null when the answer has none or its rendering failed. */
type Settled = ChartFile | null;

/**
 * A deadline has passed. Node's timers may fire up to a millisecond before performance.now()
 * reaches the time they were set for, so a budget's timer and the queue's clock are compared with
 * that slack: a chart whose answer has gone without it is never drawn after.
 */
const expired = (at: number) => at <= performance.now() + 1;

export class ChartDelivery {
  readonly budgetMs: number;
  private readonly done = new LRUCache<object, { chart: Settled }>({
    maxSize: CHART_CACHE_BYTES,
    sizeCalculation: (e) => Math.max(1, e.chart?.png.length ?? 1),
  });
  private readonly pending = new Map<object, Promise<Settled | undefined>>();
  private readonly waiting: { start: () => void; expires: number; drop: () => void }[] = [];
  private running = 0;
  private readonly render: ChartRenderer;
  private readonly concurrency: number;
  private readonly queue: number;
  private readonly dropped = { late: 0, failed: 0, busy: 0, at: 0 };

  constructor(private readonly o: ChartDeliveryOptions) {
    this.render = o.render ?? renderChart;
    this.budgetMs = o.budgetMs ?? CHART_BUDGET_MS;
    this.concurrency = o.concurrency ?? CHART_CONCURRENCY;
    this.queue = o.queue ?? CHART_QUEUE;
  }

  /** The verdict's chart if it is ready within `budgetMs`; undefined otherwise. Never rejects. */
  forVerdict(verdict: Verdict, budgetMs = this.budgetMs): Promise<ChartFile | undefined> {
    return this.chart(verdict, { kind: 'verdict', verdict }, budgetMs);
  }

  /** The plan's chart if it is ready within `budgetMs`; undefined otherwise. Never rejects. */
  forPlan(plan: Plan, budgetMs = this.budgetMs): Promise<ChartFile | undefined> {
    return this.chart(plan, { kind: 'plan', plan }, budgetMs);
  }

  private async chart(key: object, subject: ChartSubject, budgetMs: number): Promise<ChartFile | undefined> {
    const cached = this.done.get(key);
    if (cached) return cached.chart ?? undefined;
    const work = this.pending.get(key) ?? this.start(key, subject, budgetMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budgetMs)));
    const first = await Promise.race([work, late]).finally(() => clearTimeout(timer));
    if (first === 'late') {
      this.note('late');
      this.dropExpired();
      return undefined;
    }
    return first ?? undefined;
  }

  /**
   * The chart drawn now or in turn; undefined when it gets no turn: the queue is full, or its
   * budget passed while it waited (the answer has gone without it). Neither is remembered, so the
   * same question asked when the machine is less busy is drawn.
   */
  private start(key: object, subject: ChartSubject, budgetMs: number): Promise<Settled | undefined> {
    if (this.running >= this.concurrency && this.waiting.length >= this.queue) {
      this.note('busy');
      return Promise.resolve(undefined);
    }
    const work = new Promise<Settled | undefined>((resolve) => {
      const go = () => {
        this.running++;
        resolve(this.draw(key, subject));
      };
      if (this.running < this.concurrency) go();
      else
        this.waiting.push({
          start: go,
          expires: performance.now() + budgetMs,
          drop: () => {
            this.pending.delete(key);
            resolve(undefined);
          },
        });
    });
    this.pending.set(key, work);
    return work;
  }

  /** Waiting charts whose answers have gone without them are dropped now, not when a turn comes. */
  private dropExpired(): void {
    for (let k = this.waiting.length - 1; k >= 0; k--)
      if (expired(this.waiting[k]!.expires)) this.waiting.splice(k, 1)[0]!.drop();
  }

  private async draw(key: object, subject: ChartSubject): Promise<Settled> {
    try {
      // Always after this turn of the loop, so `pending` holds the work before it can settle.
      const chart = (await Promise.resolve().then(() => this.render(subject, this.o.catalog))) ?? null;
      this.done.set(key, { chart });
      return chart;
    } catch (e) {
      this.note('failed', e);
      // Rendering is deterministic: the same answer would fail again, so it is remembered as text.
      this.done.set(key, { chart: null });
      return null;
    } finally {
      this.running--;
      this.pending.delete(key);
      this.next();
    }
  }

  private next(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      if (expired(job.expires)) job.drop();
      else job.start();
    }
  }

  /** Counts a chart that did not go out, and says so at most once a minute with the counts since. */
  private note(why: 'late' | 'failed' | 'busy', err?: unknown): void {
    this.dropped[why]++;
    const now = Date.now();
    if (now - this.dropped.at < WARN_EVERY_MS) return;
    const { late, failed, busy } = this.dropped;
    this.o.log.warn(
      { ...(err ? { err } : {}), late, failed, busy, budgetMs: this.budgetMs },
      'charts left out of answers (sent as text)',
    );
    Object.assign(this.dropped, { late: 0, failed: 0, busy: 0, at: now });
  }
}
