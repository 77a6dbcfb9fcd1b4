import { readFileSync } from "node:fs";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { type GatewayState, type GatewayTopics, type StatusPayload, topicMatches } from "../contract/topics.js";
import { Backoff, DEFAULT_BACKOFF } from "../core/backoff.js";
import {
  DEFAULT_HEALTH_POLICY,
  type EndpointHealth,
  type HealthPolicy,
  INITIAL_HEALTH,
  isEligible,
  pickEndpoint,
  recordFailure,
  recordSuccess,
} from "../core/health-tracker.js";
import type { Component } from "../core/lifecycle.js";
import { redactUrlCredentials, type Logger } from "../core/logger.js";
import { probeBroker } from "./broker-probe.js";

export interface UplinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly keepaliveS: number;
  readonly sessionExpiryS: number;
  readonly failbackProbeMs: number;
  readonly tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
  readonly version: string;
  readonly healthPolicy?: HealthPolicy;
}

export interface BrokerState {
  readonly url: string;
  readonly state: EndpointHealth["state"];
  readonly lastError: string | undefined;
}

export interface UplinkState {
  readonly connected: boolean;
  readonly broker: string | undefined;
  readonly protocolVersion: 4 | 5 | undefined;
  readonly connects: number;
  readonly brokers: readonly BrokerState[];
}

type MessageHandler = (topic: string, payload: Buffer) => void;

/** MQTT reason/return codes that mean "this broker does not speak MQTT 5". */
function isProtocolRejection(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 1 || e.code === 132 || /protocol version/i.test(e.message ?? "");
}

/**
 * The gateway's one MQTT connection. Retained `status` with an `offline` LWT; a persistent session
 * (fixed client id, clean=false) so commands sent while the gateway was away are delivered on
 * return; reconnect with jittered backoff (mqtt.js's own reconnect has a fixed period); MQTT 5
 * with a 3.1.1 fallback. Brokers are used in priority order: one that fails is marked down for a
 * growing cool-down and the next is used, and while on a lower-priority broker the better ones
 * are probed so the gateway fails back once they accept sessions again.
 */
export class MqttUplink implements Component {
  readonly name = "mqtt-uplink";
  private client: MqttClient | undefined;
  private current = 0;
  private healths: EndpointHealth[];
  private readonly protocolByBroker = new Map<string, 4 | 5>();
  private readonly backoff = new Backoff(DEFAULT_BACKOFF, 30_000);
  private readonly policy: HealthPolicy;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private connects = 0;
  private readonly connectListeners = new Set<() => void>();
  private readonly closeListeners = new Set<() => void>();
  private readonly subscriptions = new Map<string, MessageHandler>();

  constructor(
    private readonly options: UplinkOptions,
    private readonly topics: GatewayTopics,
    private readonly log: Logger,
  ) {
    this.policy = options.healthPolicy ?? { ...DEFAULT_HEALTH_POLICY, successesToHealthy: 1, failuresToDown: 1 };
    this.healths = options.brokers.map(() => INITIAL_HEALTH);
  }

  get state(): UplinkState {
    const broker = this.options.brokers[this.current];
    return {
      connected: this.connected,
      broker: broker === undefined ? undefined : redactUrlCredentials(broker),
      protocolVersion: broker === undefined ? undefined : (this.protocolByBroker.get(broker) ?? 5),
      connects: this.connects,
      brokers: this.options.brokers.map((url, i) => ({
        url: redactUrlCredentials(url),
        state: this.healths[i]?.state ?? "unknown",
        lastError: this.healths[i]?.lastError,
      })),
    };
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  onConnect(listener: () => void): void {
    this.connectListeners.add(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  /** QoS 1 subscription, renewed on every connection; register before start(). */
  subscribe(filter: string, handler: MessageHandler): void {
    this.subscriptions.set(filter, handler);
  }

  /** Does not wait for the broker: the gateway works offline and the outbox holds everything. */
  async start(): Promise<void> {
    this.stopped = false;
    this.dial(pickEndpoint(this.healths, Date.now()));
    if (this.options.brokers.length > 1) {
      this.probeTimer = setInterval(() => void this.probeBetterBrokers(), this.options.failbackProbeMs);
      this.probeTimer.unref();
    }
  }

  /** QoS 1 publish that resolves on PUBACK; rejects at once when offline rather than queueing in memory. */
  async publish(topic: string, payload: string | Buffer, options: { retain?: boolean } = {}): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error("uplink is not connected");
    await client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      try {
        await Promise.race([
          client.publishAsync(this.topics.status, this.statusPayload("stopped"), { qos: 1, retain: true }),
          new Promise((r) => setTimeout(r, 2000)),
        ]);
      } catch (err) {
        this.log.warn({ err }, "could not publish stopped status");
      }
    }
    await client.endAsync(!client.connected);
  }

  private statusPayload(state: GatewayState): string {
    const payload: StatusPayload = { state, ts: new Date().toISOString(), version: this.options.version };
    return JSON.stringify(payload);
  }

  private clientOptions(broker: string): IClientOptions {
    const tls = this.options.tls;
    const protocolVersion = this.protocolByBroker.get(broker) ?? 5;
    return {
      clientId: this.options.clientId,
      protocolVersion,
      clean: false,
      // MQTT 5 ends a session at disconnect unless told to keep it.
      ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: this.options.sessionExpiryS } } : {}),
      keepalive: this.options.keepaliveS,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
      will: { topic: this.topics.status, payload: Buffer.from(this.statusPayload("offline")), qos: 1, retain: true },
      ...(tls?.ca ? { ca: readFileSync(tls.ca) } : {}),
      ...(tls?.cert ? { cert: readFileSync(tls.cert) } : {}),
      ...(tls?.key ? { key: readFileSync(tls.key) } : {}),
    };
  }

  private dial(index: number): void {
    if (this.stopped) return;
    const broker = this.options.brokers[index];
    if (broker === undefined) return;
    this.current = index;
    const safeUrl = redactUrlCredentials(broker);
    let client: MqttClient;
    try {
      client = connect(broker, this.clientOptions(broker));
    } catch (err) {
      this.markFailure(index, (err as Error).message);
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    let wasConnected = false;
    let downgraded = false;
    let lastError = "connection closed";
    client.on("connect", (connack) => {
      wasConnected = true;
      this.connects += 1;
      this.healths[index] = recordSuccess(this.healths[index] ?? INITIAL_HEALTH, this.policy);
      this.backoff.markUp();
      this.log.info(
        { broker: safeUrl, protocolVersion: client.options.protocolVersion, sessionPresent: connack.sessionPresent },
        "uplink connected",
      );
      client.publish(this.topics.status, this.statusPayload("online"), { qos: 1, retain: true }, (err) => {
        if (err) this.log.warn({ err }, "could not publish online status");
      });
      if (!connack.sessionPresent && this.subscriptions.size > 0) {
        client.subscribe([...this.subscriptions.keys()], { qos: 1 }, (err) => {
          if (err) this.log.error({ err }, "subscription failed");
        });
      }
      for (const listener of this.connectListeners) listener();
    });
    client.on("message", (topic, payload) => {
      for (const [filter, handler] of this.subscriptions) if (topicMatches(filter, topic)) handler(topic, payload);
    });
    client.on("error", (err) => {
      lastError = err.message;
      if (!wasConnected && isProtocolRejection(err) && (this.protocolByBroker.get(broker) ?? 5) === 5) {
        this.log.info({ broker: safeUrl }, "broker refused MQTT 5; falling back to 3.1.1");
        this.protocolByBroker.set(broker, 4);
        downgraded = true;
      }
    });
    client.once("close", () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      client.on("error", () => {});
      client.end(true);
      if (wasConnected) {
        this.backoff.markDown();
        this.log.warn({ broker: safeUrl, lastError }, "uplink disconnected");
        for (const listener of this.closeListeners) listener();
      }
      if (downgraded && !wasConnected) {
        // A protocol downgrade is a retry of the same broker at once, not a failure of it.
        this.reconnectTimer = setTimeout(() => this.dial(index), 0);
        return;
      }
      this.markFailure(index, lastError);
      this.scheduleReconnect();
    });
  }

  private markFailure(index: number, error: string): void {
    this.healths[index] = recordFailure(this.healths[index] ?? INITIAL_HEALTH, this.policy, Date.now(), error);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const now = Date.now();
    const next = pickEndpoint(this.healths, now);
    // Moving to another usable broker is immediate; retrying the same one, or one still cooling
    // down because every broker is failing, backs off.
    const delay =
      next !== this.current && isEligible(this.healths[next] ?? INITIAL_HEALTH, now) ? 0 : this.backoff.next();
    this.log.debug(
      { delayMs: delay, broker: redactUrlCredentials(this.options.brokers[next] ?? "") },
      "uplink reconnect scheduled",
    );
    this.reconnectTimer = setTimeout(() => this.dial(next), delay);
    this.reconnectTimer.unref();
  }

  /** While on a fallback broker, try the better ones; switch back to the first that accepts. */
  private async probeBetterBrokers(): Promise<void> {
    if (this.stopped || !this.connected || this.current === 0) return;
    for (let i = 0; i < this.current; i++) {
      const url = this.options.brokers[i];
      if (url === undefined || !isEligible(this.healths[i] ?? INITIAL_HEALTH, Date.now())) continue;
      try {
        await probeBroker(url, this.clientOptions(url), 5000);
      } catch (err) {
        this.markFailure(i, (err as Error).message);
        continue;
      }
      if (this.stopped || !this.connected) return;
      this.log.info(
        { from: redactUrlCredentials(this.options.brokers[this.current] ?? ""), to: redactUrlCredentials(url) },
        "higher-priority broker is back; failing back",
      );
      this.healths[i] = recordSuccess(this.healths[i] ?? INITIAL_HEALTH, this.policy);
      this.switchTo(i);
      return;
    }
  }

  private switchTo(index: number): void {
    const old = this.client;
    this.client = undefined;
    if (old) {
      old.removeAllListeners();
      old.on("error", () => {});
      // A clean DISCONNECT: the old broker must not fire our "offline" will for a planned move.
      old.end(false);
      for (const listener of this.closeListeners) listener();
    }
    clearTimeout(this.reconnectTimer);
    this.dial(index);
  }
}
