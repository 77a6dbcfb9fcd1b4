import type { Logger } from "./logger.js";
import { ErrorCodes, VigilError } from "./errors.js";

/** Anything the daemon keeps running between start and shutdown. Constructors do no I/O. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LifecycleOptions {
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

async function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new VigilError(ErrorCodes.LIFECYCLE_TIMEOUT, `${what} did not finish within ${ms} ms`)),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts components in registration order and stops them in reverse. Shutdown is one idempotent
 * path: every caller (signal, fatal error, start failure) gets the same promise, and a component
 * that hangs on stop is abandoned after its deadline so the rest still stop.
 */
export class Lifecycle {
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private stopping: Promise<void> | undefined;
  /** The start() under way, so a shutdown that arrives mid-start can wait for it. */
  private starting: Promise<void> | undefined;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;

  constructor(
    private readonly log: Logger,
    options: LifecycleOptions = {},
  ) {
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  add<T extends Component>(component: T): T {
    this.components.push(component);
    return component;
  }

  async start(): Promise<void> {
    for (const component of this.components) {
      if (this.stopping) throw new VigilError(ErrorCodes.SHUTTING_DOWN, "shutdown requested during start");
      const t0 = performance.now();
      const step = (async () => {
        await withDeadline(`start of ${component.name}`, this.startTimeoutMs, component.start());
        this.started.push(component);
      })();
      this.starting = step.catch(() => {});
      try {
        await step;
      } catch (err) {
        this.log.error({ component: component.name, err }, "component failed to start");
        await this.stop();
        throw err;
      } finally {
        this.starting = undefined;
      }
      this.log.debug({ component: component.name, ms: Math.round(performance.now() - t0) }, "component started");
    }
    if (this.stopping) throw new VigilError(ErrorCodes.SHUTTING_DOWN, "shutdown requested during start");
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  private async stopAll(): Promise<void> {
    // A component still starting is let finish (within its deadline) and then stopped first, so
    // nothing it depends on is closed underneath it.
    await this.starting;
    for (const component of [...this.started].reverse()) {
      try {
        await withDeadline(`stop of ${component.name}`, this.stopTimeoutMs, component.stop());
        this.log.debug({ component: component.name }, "component stopped");
      } catch (err) {
        this.log.error({ component: component.name, err }, "component failed to stop cleanly");
      }
    }
    this.started.length = 0;
  }
}
