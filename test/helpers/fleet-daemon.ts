import { join } from "node:path";
import type { JWK } from "jose";
import { checkpointPublicJwk } from "../../src/audit/checkpoint.js";
import { readSecretFile } from "../../src/config/secrets.js";
import { type DaemonHandle, type LogLine, provisionBox, readStoredAudit, runCli, type TestBox } from "./daemon.js";
import { freePort } from "./free-port.js";

/**
 * A full Vigil daemon in the fleet: `vigil init`, `vigil key create`, then `vigil run` as a child
 * process, listing every cluster node as a broker. Incidents come from tamper events pushed
 * through the real push ingest with the camera's API key, at a fixed rate; each incident the
 * daemon logs as stored (durable in its store and outbox, with the envelope's seq) is an
 * acknowledged message that must reach central. It can be killed with SIGKILL and restarted on
 * the same data and secrets, as systemd would.
 */

const CAMERA = "door";

export interface FleetDaemonAck {
  readonly gateway: string;
  readonly stream: "incidents";
  readonly seq: number;
  readonly incident: string;
}

export interface FleetDaemon {
  readonly gateway: string;
  readonly publicJwk: JWK;
  /** Every incident any run of this daemon logged as stored. */
  acks(): FleetDaemonAck[];
  /** How many of those the latest run logged. */
  acksOfLastRun(): number;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  stopProducing(): void;
  /** SIGTERM, then the head of its audit chain before the `system.stop` entry, read from its store. */
  stop(): Promise<number>;
  cleanup(): Promise<void>;
}

export async function startFleetDaemon(opts: {
  site: string;
  gateway: string;
  brokers: readonly string[];
  ratePerS: number;
}): Promise<FleetDaemon> {
  const port = await freePort();
  const box: TestBox = await provisionBox({
    site: opts.site,
    gateway: opts.gateway,
    log: { level: "info" },
    http: { listen: `127.0.0.1:${port}` },
    mqtt: { brokers: [...opts.brokers], failback_probe_s: 5 },
    audit: { checkpoint_interval_s: 1 },
    rules: { group_window_s: 0 },
    cameras: [{ id: CAMERA, url: "rtsp://127.0.0.1:1/none", enabled: false }],
  });
  const created = await runCli([
    "key",
    "create",
    "--camera",
    CAMERA,
    "--per-minute",
    "100000",
    "--per-hour",
    "6000000",
    "--config",
    box.configPath,
  ]);
  if (created.code !== 0) throw new Error(`vigil key create: ${created.code} ${created.stdout} ${created.stderr}`);
  const apiKey = created.stdout.trim();
  const publicJwk = checkpointPublicJwk(await readSecretFile(join(box.dir, "secrets"), "audit_checkpoint_key"));
  const runs: DaemonHandle[] = [];
  const launch = async (): Promise<void> => {
    const daemon = box.start();
    runs.push(daemon);
    await daemon.waitForLog((l) => l.msg === "started", 60_000);
  };
  await launch();

  let producing = true;
  let n = 0;
  const push = async (): Promise<void> => {
    const body = JSON.stringify({ type: "tamper", details: { n: n++ } });
    // A refused or failed push (daemon killed, restarting) is not acknowledged: nothing to check.
    await fetch(`http://127.0.0.1:${port}/v1/ingest/${CAMERA}/events`, {
      method: "POST",
      headers: { authorization: `ApiKey ${apiKey}`, "content-type": "application/json" },
      body,
    }).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
  };
  const timer = setInterval(() => {
    if (producing) void push();
  }, 1000 / opts.ratePerS);
  const isStored = (l: LogLine): boolean =>
    l.msg === "incident stored" && l.type === "incident.created" && typeof l.seq === "number";

  return {
    gateway: opts.gateway,
    publicJwk,
    acks: () =>
      runs.flatMap((r) =>
        r.logs.filter(isStored).map((l) => ({
          gateway: opts.gateway,
          stream: "incidents" as const,
          seq: Number(l.seq),
          incident: String(l.incident),
        })),
      ),
    acksOfLastRun: () => runs.at(-1)?.logs.filter(isStored).length ?? 0,
    async kill9() {
      const last = runs.at(-1);
      last?.signal("SIGKILL");
      await last?.exited;
    },
    restart: launch,
    stopProducing() {
      producing = false;
      clearInterval(timer);
    },
    async stop() {
      producing = false;
      clearInterval(timer);
      const last = runs.at(-1);
      last?.signal("SIGTERM");
      await last?.exited;
      const audit = await readStoredAudit(join(box.dir, "data"));
      return Math.max(0, ...audit.filter((e) => e.action !== "system.stop").map((e) => e.seq));
    },
    async cleanup() {
      clearInterval(timer);
      await box.cleanup();
    },
  };
}
