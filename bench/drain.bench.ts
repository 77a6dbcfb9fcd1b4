/**
 * Outbox drain rate to a local mosquitto (QoS 1, 1 KB payloads) against a bare mqtt.js QoS 1
 * publisher with the same in-flight window, in the same run. The outbox path does strictly more
 * work per message: it was fsynced to LevelDB before the run, it is read back in pages, and each
 * PUBACK turns into a group-committed, fsynced delete.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAsync } from "mqtt";
import { startMosquitto } from "../test/helpers/mosquitto.js";
import { TOPICS, uplinkStack } from "../test/helpers/uplink-stack.js";
import { fmt, median } from "./stats.js";

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ROUNDS = 3;
const payload = Buffer.alloc(1024, "x");

async function bare(url: string, window: number): Promise<number> {
  const client = await connectAsync(url, { clientId: `bare-${window}`, clean: true });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < N) {
        next += 1;
        await client.publishAsync("bench/bare", payload, { qos: 1 });
      }
    }),
  );
  const rate = N / ((performance.now() - t0) / 1000);
  await client.endAsync();
  return rate;
}

async function drain(url: string, window: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-drain-bench-"));
  // Fill first with no broker reachable, then measure only the drain.
  const fill = uplinkStack(dir, ["mqtt://127.0.0.1:1"], { window });
  await fill.lifecycle.start();
  let next = 0;
  const data = { body: "x".repeat(1024 - 260) }; // envelope overhead brings it to about 1 KB
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < N) {
        next += 1;
        await fill.outbox.append("incidents", "incident.created", data);
      }
    }),
  );
  await fill.lifecycle.stop();
  const stack = uplinkStack(dir, [url], { window });
  // Timed from the MQTT connection, as the bare client is: store opening is not the drain.
  let t0 = 0;
  stack.uplink.onConnect(() => (t0 = performance.now()));
  await stack.lifecycle.start();
  while (stack.publisher.stats.acknowledged < N) await sleep(2);
  const rate = N / ((performance.now() - t0) / 1000);
  await stack.lifecycle.stop();
  await rm(dir, { recursive: true, force: true });
  return rate;
}

const broker = await startMosquitto();
try {
  console.log(
    `drain bench: ${N} messages of ~1 KB per round, QoS 1, median of ${ROUNDS} rounds, mosquitto on loopback (topic ${TOPICS.stream("incidents")})`,
  );
  console.log("window  bare mqtt.js msg/s  outbox drain msg/s  ratio");
  for (const window of [100, 500]) {
    const b: number[] = [];
    const d: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      b.push(await bare(broker.url, window));
      d.push(await drain(broker.url, window));
    }
    console.log(
      `${String(window).padStart(6)}  ${fmt(median(b), 0).padStart(18)}  ${fmt(median(d), 0).padStart(18)}  ${fmt(median(d) / median(b))}`,
    );
  }
} finally {
  await broker.stop();
}
