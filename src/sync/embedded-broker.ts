import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import { parseHostPort } from "../core/host-port.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

/**
 * A local MQTT broker (aedes) for boxes with no central server yet, and for the demo: the gateway
 * publishes exactly as it would upstream, so anyone on the box can watch the topics with an MQTT
 * client. Meant for loopback; it has no authentication.
 */
export class EmbeddedBroker implements Component {
  readonly name = "embedded-broker";
  private broker: Aedes | undefined;
  private server: Server | undefined;

  constructor(
    private readonly listen: string,
    private readonly log: Logger,
  ) {}

  get url(): string {
    const { host, port } = parseHostPort(this.listen);
    return `mqtt://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer((socket) => broker.handle(socket));
    const { host, port } = parseHostPort(this.listen);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.broker = broker;
    this.server = server;
    this.log.info({ url: this.url }, "embedded MQTT broker listening");
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = undefined;
    this.server = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
