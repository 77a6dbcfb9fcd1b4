// The retained health document follows status changes, not only the 30 s interval: a gateway that
// restarts while failing and then recovers leaves `ok` retained on the broker within moments.
// Real mosquitto, the daemon's MqttUplink and HealthPublisher; the interval is left at 30 s.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { connectAsync } from "mqtt";
import { HealthPublisher } from "../../src/sync/health-publisher.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { silentLogger, TOPICS, uplinkStack } from "../helpers/uplink-stack.js";

let broker: MosquittoHandle;
let root: string;
before(async () => {
  broker = await startMosquitto();
  root = await mkdtemp(join(tmpdir(), "vigil-central-health-"));
});
after(async () => {
  await broker.stop();
  await rm(root, { recursive: true, force: true });
});

/** What a central subscriber joining now reads as the retained health document's status. */
async function retainedStatus(): Promise<string | undefined> {
  const c = await connectAsync(broker.url, { clientId: `reader-${Math.random().toString(36).slice(2)}`, clean: true });
  try {
    const got = new Promise<string | undefined>((resolve) => {
      c.on("message", (_t, payload) => resolve((JSON.parse(payload.toString()) as { status?: string }).status));
      setTimeout(() => resolve(undefined), 2_000);
    });
    await c.subscribeAsync(TOPICS.health, { qos: 1 });
    return await got;
  } finally {
    await c.endAsync();
  }
}

async function gateway(status: () => string) {
  const stack = uplinkStack(join(root, "gw"), [broker.url]);
  const health = stack.lifecycle.add(
    new HealthPublisher(stack.uplink, TOPICS.health, () => ({ status: status() }), 30_000, silentLogger(), 100),
  );
  await stack.lifecycle.start();
  return { stack, health };
}

void describe("retained health on status change", () => {
  void it("a restart does not leave a retained failing once the gateway recovers", async () => {
    const first = await gateway(() => "failing");
    for (let i = 0; i < 100 && (await retainedStatus()) !== "failing"; i++) await sleep(50);
    assert.equal(await retainedStatus(), "failing");
    await first.stack.lifecycle.stop();

    // The restarted daemon starts failing (components still starting), then is ok 500 ms later.
    let status = "failing";
    const second = await gateway(() => status);
    await sleep(500);
    status = "ok";
    let seen: string | undefined;
    for (let i = 0; i < 60 && (seen = await retainedStatus()) !== "ok"; i++) await sleep(50);
    await second.stack.lifecycle.stop();
    assert.equal(seen, "ok", "retained health follows the change long before the 30 s interval");

    // And the other way: a change to failing is published too.
    status = "failing";
    const third = await gateway(() => status);
    for (let i = 0; i < 60 && (await retainedStatus()) !== "failing"; i++) await sleep(50);
    status = "degraded";
    for (let i = 0; i < 60 && (seen = await retainedStatus()) !== "degraded"; i++) await sleep(50);
    await third.stack.lifecycle.stop();
    assert.equal(seen, "degraded");
  });
});
