import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

export interface RetainedPublisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
  onConnect(listener: () => void): void;
}

/**
 * The retained `<base>/health` document: refreshed on every connection, whenever its `status`
 * changes (checked every `changeCheckMs`), and at a fixed interval while connected. Without the
 * change check a restart left the `failing` of the starting daemon retained until the next
 * interval. Nothing is queued while offline: a stale health report is worthless, and the
 * retained copy on the broker already says when it was made.
 */
export class HealthPublisher implements Component {
  readonly name = "health-publisher";
  private timer: NodeJS.Timeout | undefined;
  private publishing = false;
  private changeTimer: NodeJS.Timeout | undefined;
  /** `status` of the last document the broker acknowledged. */
  private lastStatus: unknown;

  constructor(
    private readonly uplink: RetainedPublisher,
    private readonly topic: string,
    private readonly snapshot: () => unknown,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly changeCheckMs = 1_000,
  ) {}

  private status(): unknown {
    const doc = this.snapshot();
    return typeof doc === "object" && doc !== null ? (doc as { status?: unknown }).status : undefined;
  }

  async start(): Promise<void> {
    this.uplink.onConnect(() => void this.publishNow());
    this.timer = setInterval(() => void this.publishNow(), this.intervalMs);
    this.timer.unref();
    this.changeTimer = setInterval(() => {
      if (this.status() !== this.lastStatus) void this.publishNow();
    }, this.changeCheckMs);
    this.changeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.changeTimer);
  }

  async publishNow(): Promise<void> {
    if (!this.uplink.connected || this.publishing) return;
    this.publishing = true;
    try {
      const doc = this.snapshot() as object;
      await this.uplink.publish(this.topic, JSON.stringify({ ts: new Date().toISOString(), ...doc }), { retain: true });
      this.lastStatus = (doc as { status?: unknown }).status;
    } catch (err) {
      this.log.debug({ err }, "health not published");
    } finally {
      this.publishing = false;
    }
  }
}
