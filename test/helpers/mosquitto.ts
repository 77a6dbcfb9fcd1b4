import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.js";
import { spawnService } from "./service-process.js";

export interface MosquittoHandle {
  url: string;
  port: number;
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crashed broker), then wait for the process to exit. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

export interface MosquittoTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** With `tls`, the listener speaks TLS only and requires a client certificate signed by `ca`. */
export async function startMosquitto(opts: { port?: number; tls?: MosquittoTls } = {}): Promise<MosquittoHandle> {
  const port = opts.port ?? (await freePort());
  // Otherwise the readiness probe below could be answered by whoever already holds the port.
  if (await accepts(port)) throw new Error(`mosquitto: port ${port} is already in use`);
  const dir = await mkdtemp(join(tmpdir(), "vigil-mosquitto-"));
  const conf = join(dir, "mosquitto.conf");
  const lines = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "persistence false",
    // By default mosquitto silently drops QoS 1 messages beyond 1,000 queued for a slow
    // subscriber; a test consumer that falls behind a fast drain would then see "loss" that is the
    // broker's, not the gateway's. A central deployment sizes this queue on purpose.
    "max_queued_messages 0",
    ...(opts.tls
      ? [
          `cafile ${opts.tls.ca}`,
          `certfile ${opts.tls.cert}`,
          `keyfile ${opts.tls.key}`,
          "require_certificate true",
          "use_identity_as_username true",
        ]
      : []),
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
  ];
  // As root, mosquitto drops to the "mosquitto" user; staying root avoids depending on that
  // user existing and being able to read the temp dir.
  if (process.getuid?.() === 0) lines.push("user root");
  await writeFile(conf, lines.join("\n") + "\n");

  const service = spawnService("/usr/sbin/mosquitto", ["-c", conf]);
  const { child, exited } = service;
  child.stdout.resume();
  void exited.then(() => rm(dir, { recursive: true, force: true }));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (service.done() || Date.now() > deadline) {
      const why = service.done() ? "exited" : `was not listening after ${READY_TIMEOUT_MS} ms`;
      child.kill("SIGKILL");
      await exited;
      throw new Error(`mosquitto on port ${port} ${why}\nstderr:\n${service.stderr()}`);
    }
    await sleep(50);
  }

  const end = async (sig: NodeJS.Signals): Promise<void> => {
    if (!service.done()) child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  return {
    url: `${opts.tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    port,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}
