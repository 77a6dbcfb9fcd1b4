// Several gateways in one process, each built by startFleetGateway (the daemon's own sync
// composition), producing incidents and audit at a fixed rate. Prints one JSON line per message
// the gateway acknowledged (durable in its outbox), so a test knows what must reach central.
// SIGUSR2: stop producing, force a checkpoint, print "quiesced" per gateway. SIGTERM: stop.
// argv: <rootDir> <site> <first index> <count> <msgs per s per gateway> <brokers per gateway, ';' between gateways, ',' within>
import { join } from "node:path";
import { incidentData } from "./central-traffic.js";
import { startFleetGateway, type FleetGateway } from "./fleet-gateway.js";

const [rootDir = "", site = "", first = "0", count = "1", rate = "2", brokerLists = ""] = process.argv.slice(2);
const out = (line: unknown): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const lists = brokerLists.split(";");
const gateways: FleetGateway[] = [];
for (let i = Number(first); i < Number(first) + Number(count); i++) {
  const gateway = `gw-${String(i).padStart(3, "0")}`;
  const brokers = (lists[i - Number(first)] ?? lists[0] ?? "").split(",");
  const gw = await startFleetGateway({
    dataDir: join(rootDir, gateway),
    site,
    gateway,
    brokers,
    checkpointIntervalS: 2,
  });
  gateways.push(gw);
  out({ kind: "pubkey", gateway, jwk: gw.publicJwk });
}
let producing = true;
const periodMs = 1000 / Number(rate);
const timers = gateways.map((gw, g) => {
  let n = 0;
  return setInterval(() => {
    if (!producing) return;
    const i = n++;
    void gw.outbox.append("incidents", "incident.created", incidentData(i, `cam-${g}`)).then(
      (e) => out({ kind: "ack", gateway: gw.gateway, stream: "incidents", seq: e.seq, id: e.id }),
      () => {},
    );
    if (i % 2 === 0)
      void gw.sync.audit
        .record({
          actor: "system",
          action: "fleet.tick",
          target: `gateway:${gw.gateway}`,
          result: "ok",
          details: { i },
        })
        .catch(() => {});
  }, periodMs);
});
out({ kind: "started" });
process.on("SIGUSR2", () => {
  producing = false;
  for (const t of timers) clearInterval(t);
  void (async () => {
    await new Promise((r) => setTimeout(r, 200));
    for (const gw of gateways) {
      await gw.sync.checkpoints.publishNow({ force: true });
      out({ kind: "quiesced", gateway: gw.gateway, auditHead: gw.sync.audit.head.seq });
    }
  })();
});
process.on("SIGTERM", () => {
  for (const t of timers) clearInterval(t);
  void Promise.all(gateways.map((g) => g.stop())).then(() => process.exit(0));
});
