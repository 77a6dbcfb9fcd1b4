// The central consumer against real mosquitto (MQTT 5, shared subscription) and the gateway's own
// uplink stack: every message delivered once, redeliveries dropped, holes reported as gaps after
// the configured wait, bad envelopes refused without blocking the stream, and a consumer killed
// with SIGKILL mid-stream delivers everything exactly once after its restart.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { connectAsync } from "mqtt";
import { CentralConsumer, type ConsumerEvent } from "../../src/central/consumer.js";
import { ConsumerStateStore } from "../../src/central/state-store.js";
import { makeEnvelope, type Envelope } from "../../src/contract/envelope.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { appendIncidents } from "../helpers/central-traffic.js";
import { uplinkStack } from "../helpers/uplink-stack.js";

const CHILD = join(import.meta.dirname, "../helpers/central-consumer-child.js");

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

let broker: MosquittoHandle;
let root: string;
before(async () => {
  broker = await startMosquitto();
  root = await mkdtemp(join(tmpdir(), "vigil-central-consumer-"));
});
after(async () => {
  await broker.stop();
  await rm(root, { recursive: true, force: true });
});

const raw = (gateway: string, seq: number, extra: Partial<Envelope> = {}) =>
  JSON.stringify({
    ...makeEnvelope({
      id: randomUUID(),
      stream: "incidents",
      seq,
      ts: new Date(),
      site: "raw",
      gateway,
      type: "incident.custom",
      data: { seq },
    }),
    ...extra,
  });

void describe("central consumer on mosquitto", () => {
  void it("delivers a gateway's stream once, drops redeliveries, reports gaps and refuses bad envelopes", async (t) => {
    const gw = uplinkStack(join(root, "gw1"), [broker.url]);
    const delivered: Envelope[] = [];
    const events: ConsumerEvent[] = [];
    const consumer = new CentralConsumer(
      { brokers: [broker.url], clientId: "central-1", dataDir: join(root, "c1"), gapWaitMs: 300, group: "central" },
      ({ envelope }) => {
        delivered.push(envelope);
      },
    );
    consumer.on((e) => events.push(e));
    await consumer.start();
    t.after(() => consumer.stop());
    assert.deepEqual(events[0], {
      kind: "connected",
      url: broker.url,
      protocolVersion: 5,
      sessionPresent: false,
      filters: [
        "$share/central/vigil/+/+/incidents",
        "$share/central/vigil/+/+/audit",
        "$share/central/vigil/+/+/alerts",
      ],
    });
    await gw.lifecycle.start();
    t.after(() => gw.lifecycle.stop());
    await appendIncidents(gw.outbox, 500, 16);
    await until("500 deliveries", () => delivered.length >= 500);

    // Everything again, as a broker redelivering after a failover would.
    const pub = await connectAsync(broker.url, { clientId: "raw-pub" });
    t.after(() => pub.endAsync());
    for (const envelope of [...delivered])
      await pub.publishAsync(`vigil/t/gw/incidents`, JSON.stringify(envelope), { qos: 1 });
    // Bad input: not JSON, not an envelope, a body naming another gateway than its topic.
    await pub.publishAsync("vigil/raw/g1/incidents", "not json", { qos: 1 });
    await pub.publishAsync("vigil/raw/g1/incidents", JSON.stringify({ id: "x", seq: 1 }), { qos: 1 });
    await pub.publishAsync("vigil/raw/g1/incidents", raw("g2", 1), { qos: 1 });
    // A hole: seq 3 never comes.
    for (const seq of [1, 2, 4, 5]) await pub.publishAsync("vigil/raw/g1/incidents", raw("g1", seq), { qos: 1 });
    await until("the gap report", () => events.some((e) => e.kind === "gap"));

    const ids = delivered.filter((e) => e.gateway === "gw").map((e) => e.id);
    assert.equal(ids.length, 500);
    assert.equal(new Set(ids).size, 500);
    assert.deepEqual(
      delivered.filter((e) => e.gateway === "g1").map((e) => e.seq),
      [1, 2, 4, 5],
    );
    assert.equal(events.filter((e) => e.kind === "invalid").length, 3);
    assert.deepEqual(
      events.filter((e) => e.kind === "gap"),
      [{ kind: "gap", from: 3, to: 3, why: "timeout", stream: "raw/g1/incidents" }],
    );
    const states = Object.fromEntries(await consumer.states());
    assert.equal(states["t/gw/incidents"]?.hwm, 500);
    assert.equal(states["t/gw/incidents"]?.duplicates, 500);
    assert.equal(states["raw/g1/incidents"]?.lost, 1);
  });

  void it("a consumer killed with SIGKILL mid-stream delivers every message exactly once after restart", async (t) => {
    const gw = uplinkStack(join(root, "gw2"), [broker.url]);
    const dataDir = join(root, "c2");
    const args = [CHILD, broker.url, dataDir, "central-kill", "60000", "central-kill"];
    const run = () => {
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      const exited = new Promise<void>((r) => child.once("close", () => r()));
      return { child, exited, out: () => out };
    };
    const first = run();
    t.after(() => first.child.kill("SIGKILL"));
    await until("consumer connected", () => first.out().includes('"connected"'));
    await gw.lifecycle.start();
    t.after(() => gw.lifecycle.stop());
    const total = 3000;
    const appending = appendIncidents(gw.outbox, total, 16);
    await sleep(400);
    first.child.kill("SIGKILL");
    await first.exited;
    await appending;
    const second = run();
    t.after(() => second.child.kill("SIGKILL"));
    await until("consumer reconnected", () => second.out().includes('"connected"'));
    const store = new ConsumerStateStore(join(dataDir, "central-db"));
    const counts = async (): Promise<number[]> => {
      second.child.kill("SIGTERM");
      await second.exited;
      await store.open();
      const out: number[] = [];
      for await (const [k, v] of store.app.iterator({ gt: "count!", lt: "count!~" }))
        if (k.startsWith("count!")) out.push(v as number);
      await store.close();
      return out;
    };
    // The publisher is done once the gateway's outbox has nothing left unacknowledged.
    const seqs = () =>
      new Set(
        (first.out() + second.out())
          .split("\n")
          .filter((l) => l.includes('"delivered"') || l.includes('"duplicate"'))
          .map((l) => (JSON.parse(l) as { seq: number }).seq),
      );
    await until("every message delivered", () => seqs().size >= total, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${seqs().size} of ${total}`);
    });
    const c = await counts();
    assert.equal(c.length, total, "every acknowledged message reached the application");
    assert.ok(
      c.every((n) => n === 1),
      "and none twice",
    );
  });
});
