/**
 * Work done on a beat from start() to stop(): a sample, a sweep, a publish. One tick at a time:
 * a beat that comes while a tick still runs is skipped, not queued, so a slow disk or broker
 * cannot pile ticks up. A failing tick goes to `onError` and the next beat still comes. The
 * timer never keeps the process alive, and stop() waits for a tick in progress.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => void | Promise<void>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`a periodic task needs a positive interval, got ${intervalMs}`);
  }

  /** Starts the beat; with `first: "now"` the first tick runs (and is awaited) before it. */
  async start(options: { readonly first?: "now" | "background" | "on-beat" } = {}): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
    if (options.first === "now") await this.runNow();
    else if (options.first === "background") void this.runNow();
  }

  /** Runs a tick now, or joins the one in progress. Never rejects. */
  runNow(): Promise<void> {
    this.current ??= (async () => {
      try {
        await this.tick();
      } catch (err) {
        this.onError(err);
      } finally {
        this.current = undefined;
      }
    })();
    return this.current;
  }

  get started(): boolean {
    return this.timer !== undefined;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }
}
