import { readFileSync } from "node:fs";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { GatewayState, GatewayTopics, StatusPayload } from "../contract/topics.js";
import { Backoff, DEFAULT_BACKOFF } from "../core/backoff.js";
import type { Component } from "../core/lifecycle.js";
import { redactUrlCredentials, type Logger } from "../core/logger.js";

export interface UplinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly keepaliveS: number;
  readonly tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
  readonly version: string;
}

export interface UplinkState {
  readonly connected: boolean;
  readonly broker: string | undefined;
  readonly protocolVersion: 4 | 5 | undefined;
  readonly connects: number;
  readonly lastError: string | undefined;
}

/** MQTT reason/return codes that mean "this broker does not speak MQTT 5". */
function isProtocolRejection(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 1 || e.code === 132 || /protocol version/i.test(e.message ?? "");
}

/**
 * The gateway's one MQTT connection: retained `status` with an `offline` LWT, reconnect with
 * jittered backoff (mqtt.js's own reconnect has a fixed period), brokers tried in priority order,
 * and MQTT 5 with a fallback to 3.1.1 for brokers that refuse it.
 */
export class MqttUplink implements Component {
  readonly name = "mqtt-uplink";
  private client: MqttClient | undefined;
  private brokerIndex = 0;
  private readonly protocolByBroker = new Map<string, 4 | 5>();
  private readonly backoff = new Backoff(DEFAULT_BACKOFF, 30_000);
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private connects = 0;
  private lastError: string | undefined;
  private readonly connectListeners = new Set<() => void>();
  private readonly closeListeners = new Set<() => void>();

  constructor(
    private readonly options: UplinkOptions,
    private readonly topics: GatewayTopics,
    private readonly log: Logger,
  ) {}

  get state(): UplinkState {
    const broker = this.options.brokers[this.brokerIndex];
    return {
      connected: this.client?.connected === true,
      broker: broker === undefined ? undefined : redactUrlCredentials(broker),
      protocolVersion: broker === undefined ? undefined : (this.protocolByBroker.get(broker) ?? 5),
      connects: this.connects,
      lastError: this.lastError,
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

  /** Does not wait for the broker: the gateway works offline and the outbox holds everything. */
  async start(): Promise<void> {
    this.stopped = false;
    this.dial();
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
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      try {
        await Promise.race([client.publishAsync(this.topics.status, this.statusPayload("stopped"), { qos: 1, retain: true }), new Promise((r) => setTimeout(r, 2000))]);
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
    return {
      clientId: this.options.clientId,
      protocolVersion: this.protocolByBroker.get(broker) ?? 5,
      clean: true,
      keepalive: this.options.keepaliveS,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(this.statusPayload("offline")), qos: 1, retain: true },
      ...(tls?.ca ? { ca: readFileSync(tls.ca) } : {}),
      ...(tls?.cert ? { cert: readFileSync(tls.cert) } : {}),
      ...(tls?.key ? { key: readFileSync(tls.key) } : {}),
    };
  }

  private dial(): void {
    if (this.stopped) return;
    const broker = this.options.brokers[this.brokerIndex];
    if (broker === undefined) return;
    const safeUrl = redactUrlCredentials(broker);
    let client: MqttClient;
    try {
      client = connect(broker, this.clientOptions(broker));
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.error({ broker: safeUrl, err }, "cannot create MQTT client");
      this.scheduleReconnect(false);
      return;
    }
    this.client = client;
    let wasConnected = false;
    client.on("connect", () => {
      wasConnected = true;
      this.connects += 1;
      this.lastError = undefined;
      this.backoff.markUp();
      this.log.info({ broker: safeUrl, protocolVersion: client.options.protocolVersion }, "uplink connected");
      client.publish(this.topics.status, this.statusPayload("online"), { qos: 1, retain: true }, (err) => {
        if (err) this.log.warn({ err }, "could not publish online status");
      });
      for (const listener of this.connectListeners) listener();
    });
    client.on("error", (err) => {
      this.lastError = err.message;
      if (!wasConnected && isProtocolRejection(err) && (this.protocolByBroker.get(broker) ?? 5) === 5) {
        this.log.info({ broker: safeUrl }, "broker refused MQTT 5; falling back to 3.1.1");
        this.protocolByBroker.set(broker, 4);
      }
    });
    client.once("close", () => {
      if (this.client !== client) return;
      if (wasConnected) {
        this.backoff.markDown();
        this.log.warn({ broker: safeUrl, lastError: this.lastError }, "uplink disconnected");
        for (const listener of this.closeListeners) listener();
      }
      client.removeAllListeners();
      client.on("error", () => {});
      client.end(true);
      this.client = undefined;
      this.scheduleReconnect(wasConnected);
    });
  }

  private scheduleReconnect(hadConnected: boolean): void {
    if (this.stopped) return;
    // A broker that never accepted us this round yields to the next one in the priority list.
    if (!hadConnected && this.options.brokers.length > 1) this.brokerIndex = (this.brokerIndex + 1) % this.options.brokers.length;
    const delay = this.backoff.next();
    this.log.debug({ delayMs: delay }, "uplink reconnect scheduled");
    this.reconnectTimer = setTimeout(() => this.dial(), delay);
    this.reconnectTimer.unref();
  }
}
