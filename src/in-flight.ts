/**
 * Work that goes on after a request was answered: a deferred Discord pin whose outcome edits the
 * answer, a Slack command acked first and answered through response_url. Shutdown waits for it
 * (bounded), so SIGTERM does not cut a pin between Discord's pin and our store's write.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.pending.size;
  }

  /** Runs `work` and remembers it until it settles; its own errors stay its own. */
  track(work: Promise<unknown>): void {
    const p = work.catch(() => undefined).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when everything tracked has settled, or after `ms`; true when nothing was left. */
  async settle(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      while (this.pending.size > 0) {
        const done = await Promise.race([Promise.all(this.pending).then(() => true), timeout]);
        if (!done) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
