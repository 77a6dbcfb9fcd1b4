import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

export interface RetainedPublisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
  onConnect(listener: () => void): void;
}

/**
 * The retained `<base>/health` document: refreshed on every connection and then at a fixed
 * interval while connected. Nothing is queued while offline: a stale health report is worthless,
 * and the retained copy on the broker already says when it was made.
 */
export class HealthPublisher implements Component {
  readonly name = "health-publisher";
  private timer: NodeJS.Timeout | undefined;
  private publishing = false;

  constructor(
    private readonly uplink: RetainedPublisher,
    private readonly topic: string,
    private readonly snapshot: () => unknown,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.uplink.onConnect(() => void this.publishNow());
    this.timer = setInterval(() => void this.publishNow(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  async publishNow(): Promise<void> {
    if (!this.uplink.connected || this.publishing) return;
    this.publishing = true;
    try {
      await this.uplink.publish(this.topic, JSON.stringify({ ts: new Date().toISOString(), ...(this.snapshot() as object) }), { retain: true });
    } catch (err) {
      this.log.debug({ err }, "health not published");
    } finally {
      this.publishing = false;
    }
  }
}
