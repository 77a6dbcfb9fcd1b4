import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAsync } from "mqtt";
import { freePort } from "./free-port.js";
import { spawnService, type ServiceProcess } from "./service-process.js";

/**
 * A 3-node NATS JetStream cluster (Debian's nats-server) with an MQTT 3.1.1 listener per node, on
 * 127.0.0.1 random ports, in a temp dir removed at stop. Nodes can be SIGKILLed and restarted on
 * the same ports and store, as a crashed cluster member would come back.
 */

const NATS = "/usr/sbin/nats-server";
const READY_TIMEOUT_MS = 30_000;

export interface NatsNode {
  readonly name: string;
  readonly mqttUrl: string;
  readonly mqttPort: number;
  readonly running: boolean;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  readonly mqttUrls: readonly string[];
  kill(index: number): Promise<void>;
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether the node takes an MQTT session (JetStream ready), not just a TCP connection. */
async function acceptsMqtt(url: string): Promise<boolean> {
  try {
    const c = await connectAsync(
      url,
      {
        clientId: `probe-${Math.random().toString(36).slice(2)}`,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 2_000,
      },
      false,
    );
    await c.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

export interface NatsClusterOptions {
  /** Nodes in the cluster. */
  readonly size?: number;
  /**
   * The MQTT listener's `ack_wait`: how long a node waits for a subscriber's PUBACK before it
   * redelivers (nats-server default 30 s). Unacknowledged QoS 1 messages of a session whose
   * connection died come back only after this, also across a node kill (nats-server 2.9 does not
   * resend them on reconnect), so it bounds how late a redelivery is and sets the consumer's gap wait.
   */
  readonly mqttAckWaitS?: number;
  /** The MQTT listener's `max_ack_pending` per subscription (nats-server default 1024). */
  readonly mqttMaxAckPending?: number;
}

export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  const mqttExtra = [
    ...(opts.mqttAckWaitS !== undefined ? [`ack_wait: "${opts.mqttAckWaitS}s"`] : []),
    ...(opts.mqttMaxAckPending !== undefined ? [`max_ack_pending: ${opts.mqttMaxAckPending}`] : []),
  ];
  const dir = await mkdtemp(join(tmpdir(), "vigil-nats-"));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      cluster: await freePort(),
      mqtt: await freePort(),
    })),
  );
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.cluster}`);
  const confs: string[] = [];
  for (const [i, p] of ports.entries()) {
    const name = `n${i + 1}`;
    await mkdir(join(dir, name), { recursive: true });
    const conf = join(dir, `${name}.conf`);
    await writeFile(
      conf,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${p.client}`,
        `jetstream { store_dir: "${join(dir, name)}" }`,
        `cluster { name: vigil, listen: 127.0.0.1:${p.cluster}, routes: [${routes.join(", ")}] }`,
        `mqtt { listen: 127.0.0.1:${p.mqtt}${mqttExtra.map((x) => `, ${x}`).join("")} }`,
      ].join("\n") + "\n",
    );
    confs.push(conf);
  }
  const services: Array<ServiceProcess | undefined> = ports.map(() => undefined);
  const launch = (i: number): void => {
    const service = spawnService(NATS, ["-c", confs[i] as string]);
    service.child.stdout.resume();
    services[i] = service;
  };
  const url = (i: number): string => `mqtt://127.0.0.1:${ports[i]?.mqtt}`;
  const waitReady = async (i: number): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await acceptsMqtt(url(i)))) {
      const s = services[i];
      if (!s || s.done() || Date.now() > deadline)
        throw new Error(`nats node n${i + 1} not ready: ${s?.stderr() ?? "not running"}`);
      await sleep(200);
    }
  };
  ports.forEach((_, i) => launch(i));
  try {
    await Promise.all(ports.map((_, i) => waitReady(i)));
  } catch (err) {
    for (const s of services) s?.child.kill("SIGKILL");
    await Promise.all(services.flatMap((s) => (s ? [s.exited] : [])));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const end = async (i: number, signal: NodeJS.Signals): Promise<void> => {
    const s = services[i];
    if (!s || s.done()) return;
    s.child.kill(signal);
    const timer = setTimeout(() => s.child.kill("SIGKILL"), 5_000);
    await s.exited;
    clearTimeout(timer);
  };
  return {
    nodes: ports.map((p, i) => ({
      name: `n${i + 1}`,
      mqttUrl: url(i),
      mqttPort: p.mqtt,
      get running() {
        return services[i]?.done() === false;
      },
    })),
    mqttUrls: ports.map((_, i) => url(i)),
    kill: (i) => end(i, "SIGKILL"),
    async restart(i) {
      await end(i, "SIGKILL");
      launch(i);
      await waitReady(i);
    },
    async stop() {
      await Promise.all(ports.map((_, i) => end(i, "SIGTERM")));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
