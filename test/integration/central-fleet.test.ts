// The fleet on an existing distributed engine (CI size): 20 gateways, each the daemon's own sync
// composition (LevelDB outbox, audit chain with signed checkpoints, uplink listing all three
// nodes), in 2 processes, plus 2 full daemons (`vigil run`, incidents from tamper events pushed
// through the ingest API) preferring the node that is killed, on a 3-node NATS JetStream cluster
// (mqtt ack_wait 10 s), one central consumer process (gap wait 60 s). Faults: kill -9 of the node
// most gateways are on and its restart, one gateway cut from every node, kill -9 of the consumer,
// kill -9 of a gateway process, kill -9 of a full daemon and its restart. Every acknowledged message reaches the
// application exactly once, no gap is reported, and every gateway's audit verifies with only its
// public key. The 100-gateway run is bench/central-fleet.bench.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runFleet } from "../helpers/fleet-run.js";

void describe("central fleet on a NATS JetStream cluster", () => {
  void it(
    "20 gateways and 2 full daemons through node, link, consumer, gateway and daemon faults: exactly once, no gaps, audits verify",
    { timeout: 300_000 },
    async () => {
      const report = await runFleet({
        gateways: 20,
        processes: 2,
        daemons: 2,
        ratePerGateway: 2,
        warmMs: 3_000,
        nodeDownMs: 4_000,
        cutMs: 5_000,
        log: (l) => console.log(`# ${l}`),
      });
      console.log(
        `# acked ${report.acked} (daemons gd-000 ${report.ackedBy["gd-000"] ?? 0}, ${report.ackedAfterRestart["gd-000"] ?? 0} after its restart; gd-001 ${report.ackedBy["gd-001"] ?? 0}), stored ${report.deliveredTotal}, late ${report.late}, ${Math.round(report.durationMs / 1000)} s`,
      );
      assert.ok(report.acked > 500, `enough traffic (${report.acked})`);
      assert.deepEqual(report.missing, [], "every acknowledged message reached the application");
      assert.equal(report.deliveredTwice, 0, "and none twice");
      assert.deepEqual(report.gaps, [], "no seq gap reported");
      for (const d of ["gd-000", "gd-001"])
        assert.ok(
          report.ackedBy[d] !== undefined && report.ackedBy[d] > 10,
          `daemon ${d} produced incidents (${report.ackedBy[d] ?? 0})`,
        );
      assert.ok((report.ackedAfterRestart["gd-000"] ?? 0) > 0, "the killed daemon produced again after its restart");
      assert.equal(Object.keys(report.audit).length, 22);
      for (const [gateway, a] of Object.entries(report.audit)) {
        assert.deepEqual(a.problems, [], gateway);
        assert.ok(a.ok, gateway);
        assert.ok(
          a.verifiedThrough >= a.quiescedHead && a.quiescedHead > 0,
          `${gateway}: proven through ${a.verifiedThrough}, head at quiesce ${a.quiescedHead}`,
        );
      }
    },
  );
});
