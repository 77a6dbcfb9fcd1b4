/**
 * The 100-gateway fleet (test/helpers/fleet-run.ts) on a 3-node NATS JetStream cluster: sustained
 * end-to-end msg/s against the offered load (the same-run baseline), failover time p50/p99 after
 * kill -9 of the node most gateways are on, the consumer's CPU per 1,000 msg/s, and how many days
 * of a busy site's traffic a 256 MB outbox holds, from the outbox's own byte accounting.
 * FLEET_GATEWAYS, FLEET_PROCESSES, FLEET_RATE override the size.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog } from "../src/audit/audit-log.js";
import { auditKeyFromSecret } from "../src/audit/chain.js";
import { DEFAULT_OUTBOX_OPTIONS } from "../src/store/outbox.js";
import { incidentData } from "../test/helpers/central-traffic.js";
import { runFleet } from "../test/helpers/fleet-run.js";
import { openStoreStack } from "../test/helpers/store-stack.js";
import { silentLogger } from "../test/helpers/uplink-stack.js";
import { fmt, percentile } from "./stats.js";

const GATEWAYS = Number(process.env.FLEET_GATEWAYS ?? 100);
const PROCESSES = Number(process.env.FLEET_PROCESSES ?? 4);
const RATE = Number(process.env.FLEET_RATE ?? 2);

/** Bytes per message as the outbox counts them, for each stream, from real appends. */
async function outboxBytes(): Promise<{ incident: number; audit: number; alert: number }> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-bench-outbox-"));
  const store = await openStoreStack(dir);
  const audit = new AuditLog(
    store.db,
    store.outbox,
    auditKeyFromSecret("bench-key-0123456789abcdef0123456789abcdef"),
    { site: "hq", gateway: "gw-01" },
    { anonymiseSources: true },
    silentLogger(),
  );
  await audit.start();
  const N = 500;
  for (let i = 0; i < N; i++) {
    await store.outbox.append("incidents", "incident.created", incidentData(i));
    await audit.record({
      actor: "operator1",
      source: "10.0.0.7",
      action: "incident.decision",
      target: `incident:${i}`,
      result: "ok",
      details: { decision: "monitor" },
    });
    await store.outbox.append("alerts", "camera.offline", {
      camera_id: "lobby",
      since: new Date().toISOString(),
      reason: "no frames for 30 s",
    });
  }
  const b = store.outbox.stats.bytes;
  await audit.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { incident: b.incidents / N, audit: b.audit / N, alert: b.alerts / N };
}

const size = await outboxBytes();
// A busy site: 40 cameras, 2,000 incidents/day (created + ~2 updates each), 30,000 audit entries/day, 500 alerts/day.
const perDay = { incidents: 2_000 * 3, audit: 30_000, alerts: 500 };
const bytesPerDay = perDay.incidents * size.incident + perDay.audit * size.audit + perDay.alerts * size.alert;
const days = DEFAULT_OUTBOX_OPTIONS.maxBytes / bytesPerDay;
console.log(
  `outbox bytes per message: incident ${fmt(size.incident, 0)}, audit ${fmt(size.audit, 0)}, alert ${fmt(size.alert, 0)}`,
);
console.log(
  `busy site (${perDay.incidents} incident msgs, ${perDay.audit} audit, ${perDay.alerts} alerts per day): ${fmt(bytesPerDay / 2 ** 20, 1)} MiB/day -> 256 MiB holds ${fmt(days, 1)} days`,
);

const report = await runFleet({
  gateways: GATEWAYS,
  processes: PROCESSES,
  ratePerGateway: RATE,
  warmMs: 8_000,
  nodeDownMs: 10_000,
  cutMs: Number(process.env.FLEET_CUT_MS ?? 60_000),
  ...(process.env.FLEET_ACK_WAIT_S ? { ackWaitS: Number(process.env.FLEET_ACK_WAIT_S) } : {}),
  ...(process.env.FLEET_GAP_WAIT_MS ? { gapWaitMs: Number(process.env.FLEET_GAP_WAIT_MS) } : {}),
  log: (l) => console.log(`  ${l}`),
});
// Offered: each gateway appends RATE incidents/s and RATE/2 audit entries/s, plus a checkpoint every 2 s.
const offered = GATEWAYS * (RATE * 1.5 + 0.5);
console.log(
  `fleet: ${GATEWAYS} gateways in ${PROCESSES} processes, ${RATE} incidents/s each, ${Math.round(report.durationMs / 1000)} s; NATS mqtt ack_wait ${report.ackWaitS} s, consumer gap wait ${report.gapWaitMs / 1000} s`,
);
console.log(
  `sustained end to end: ${fmt(report.steadyMsgPerS, 0)} msg/s against ${fmt(offered, 0)} msg/s offered (ratio ${fmt(report.steadyMsgPerS / offered)})`,
);
console.log(
  `failover after kill -9 of the busiest node (${report.failoverMs.length} gateways): p50 ${fmt(percentile(report.failoverMs, 50), 0)} ms, p99 ${fmt(percentile(report.failoverMs, 99), 0)} ms`,
);
console.log(
  `consumer CPU: ${report.consumerCpuMsPer1000 === undefined ? "n/a" : `${fmt(report.consumerCpuMsPer1000, 0)} ms per 1,000 msgs (${fmt(report.consumerCpuMsPer1000 / 10, 1)}% of a core per 1,000 msg/s)`}`,
);
const audits = Object.values(report.audit);
console.log(
  `checks: acked ${report.acked}, missing ${report.missing.length}, delivered twice ${report.deliveredTwice}, gaps ${report.gaps.length} (late deliveries ${report.late}), audits verified ${audits.filter((a) => a.ok && a.verifiedThrough >= a.quiescedHead).length}/${audits.length}`,
);
if (report.gaps.length > 0) console.log(`gaps (first 10): ${JSON.stringify(report.gaps.slice(0, 10))}`);
if (report.lateDetails.length > 0) {
  const byFault = new Map<string, number>();
  for (const l of report.lateDetails) byFault.set(l.fault, (byFault.get(l.fault) ?? 0) + 1);
  console.log(
    `late deliveries: ms after their gap report p50 ${fmt(
      percentile(
        report.lateDetails.map((l) => l.afterGapMs),
        50,
      ),
      0,
    )}, max ${fmt(Math.max(...report.lateDetails.map((l) => l.afterGapMs)), 0)}; last fault before the hole opened: ${JSON.stringify(Object.fromEntries(byFault))}`,
  );
  console.log(`late (first 10): ${JSON.stringify(report.lateDetails.slice(0, 10))}`);
}
