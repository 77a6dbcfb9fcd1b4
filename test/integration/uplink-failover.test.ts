import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { subscribeEnvelopes } from "../helpers/envelope-subscriber.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { TOPICS, uplinkStack } from "../helpers/uplink-stack.js";

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

void describe("uplink with two brokers in priority order (real mosquitto)", () => {
  void it("fails over when the first dies and fails back when it returns, delivering every incident", async () => {
    let primary = await startMosquitto();
    const secondary = await startMosquitto();
    const dir = await mkdtemp(join(tmpdir(), "vigil-failover-"));
    const stack = uplinkStack(dir, [primary.url, secondary.url], { failbackProbeMs: 300 });
    const onSecondary = await subscribeEnvelopes(secondary.url, TOPICS.stream("incidents"));
    let onPrimary = await subscribeEnvelopes(primary.url, TOPICS.stream("incidents"));
    try {
      await stack.lifecycle.start();
      await until(
        "connection to the primary",
        () => stack.uplink.state.connected && stack.uplink.state.broker === primary.url,
        10_000,
      );
      await stack.outbox.append("incidents", "incident.created", { n: 1 });
      await onPrimary.waitForCount(1, 10_000);

      await onPrimary.close();
      await primary.kill();
      await until(
        "failover to the secondary",
        () => stack.uplink.state.connected && stack.uplink.state.broker === secondary.url,
        20_000,
      );
      assert.equal(stack.uplink.state.brokers[0]?.state, "down");
      await stack.outbox.append("incidents", "incident.created", { n: 2 });
      await onSecondary.waitForCount(1, 10_000);
      assert.ok(onSecondary.tally.seen.has(2));

      primary = await startMosquitto({ port: primary.port });
      onPrimary = await subscribeEnvelopes(primary.url, TOPICS.stream("incidents"));
      await until(
        "fail-back to the primary",
        () => stack.uplink.state.connected && stack.uplink.state.broker === primary.url,
        20_000,
      );
      await stack.outbox.append("incidents", "incident.created", { n: 3 });
      await until("incident 3 on the primary", () => onPrimary.tally.seen.has(3), 10_000);
      assert.equal(await stack.outbox.depth("incidents"), 0);
    } finally {
      await stack.lifecycle.stop();
      await onPrimary.close();
      await onSecondary.close();
      await primary.stop();
      await secondary.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
