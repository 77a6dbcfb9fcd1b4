// The worked example of docs/central.md (scripts/central-example.ts, importing `vigil/central`
// through the package export) run as a central operator would, against real mosquitto and a
// gateway composed by the daemon: it prints the incident and proves the audit trail.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { incidentData } from "../helpers/central-traffic.js";
import { startFleetGateway } from "../helpers/fleet-gateway.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { ROOT } from "../helpers/repo-root.js";

let broker: MosquittoHandle;
let root: string;
before(async () => {
  broker = await startMosquitto();
  root = await mkdtemp(join(tmpdir(), "vigil-central-example-"));
});
after(async () => {
  await broker.stop();
  await rm(root, { recursive: true, force: true });
});

void describe("docs/central.md worked example", () => {
  void it("stores incidents and verifies the audit trail with only the public key", async (t) => {
    const keys = join(root, "keys");
    await mkdir(keys);
    // The gateway's secrets (and so its checkpoint key) are made on its first start: make them
    // now, hand the public key to central, then start it again for real.
    const probe = await startFleetGateway({ dataDir: join(root, "gw"), site: "hq", gateway: "gw-01", brokers: [] });
    await writeFile(join(keys, "hq_gw-01.jwk"), JSON.stringify(probe.publicJwk));
    await probe.stop();
    await rm(join(root, "gw", "db"), { recursive: true, force: true });

    const child = spawn(
      process.execPath,
      [join(ROOT, "dist/scripts/central-example.js"), broker.url, join(root, "central"), keys],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    t.after(() => child.kill("SIGKILL"));
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    for (let i = 0; i < 200 && !out.includes("listening"); i++) await sleep(50);
    assert.match(out, /listening on mqtt:/, err);

    const gw = await startFleetGateway({
      dataDir: join(root, "gw"),
      site: "hq",
      gateway: "gw-01",
      brokers: [broker.url],
      checkpointIntervalS: 3600,
    });
    t.after(() => gw.stop());
    await gw.outbox.append("incidents", "incident.created", incidentData(1));
    for (let i = 0; i < 5; i++)
      await gw.sync.audit.record({ actor: "op", action: "incident.decision", target: `incident:${i}`, result: "ok" });
    await gw.sync.checkpoints.publishNow({ force: true });
    const head = gw.sync.audit.head.seq;
    for (let i = 0; i < 200 && !out.includes(`verified through ${head}`); i++) await sleep(50);
    assert.match(out, /incident hq\/gw-01 #1 incident\.created/);
    assert.match(out, new RegExp(`audit hq/gw-01: verified through ${head}`));
    assert.doesNotMatch(err, /ALERT/);
  });
});
