/** Polls every 10 ms until `find` returns something, or fails after `timeoutMs` saying what did arrive. */
export async function pollFor<T>(find: () => T | undefined, got: () => string, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const hit = find();
    if (hit !== undefined) return hit;
    if (Date.now() - start > timeoutMs) throw new Error(got());
    await new Promise((r) => setTimeout(r, 10));
  }
}
