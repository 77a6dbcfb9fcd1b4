import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { subscribeEnvelopes, type StreamTally } from "../helpers/envelope-subscriber.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";
import { appendMany, TOPICS, uplinkStack } from "../helpers/uplink-stack.js";

const INCIDENTS = TOPICS.stream("incidents");

/** Every seq 1..n arrived, each first arrival in increasing order (duplicates allowed). */
function assertCompleteAndOrdered(tally: StreamTally, n: number): void {
  assert.equal(tally.seen.size, n, `distinct seqs: ${tally.seen.size} of ${n}`);
  for (let i = 1; i < tally.firstSeen.length; i++) {
    const [a, b] = [tally.firstSeen[i - 1] as number, tally.firstSeen[i] as number];
    if (b <= a) assert.fail(`seq ${b} first arrived after seq ${a}`);
  }
  assert.equal(tally.firstSeen[0], 1);
  assert.equal(tally.firstSeen.at(-1), n);
}

void describe("outbox drain to a real mosquitto", () => {
  let broker: MosquittoHandle;
  let root: string;
  before(async () => {
    broker = await startMosquitto();
    root = await mkdtemp(join(tmpdir(), "vigil-drain-"));
  });
  after(async () => {
    await broker?.stop();
    await rm(root, { recursive: true, force: true });
  });

  void it("100,000 incidents queued while the broker is unreachable all arrive, in order, when it is back", async () => {
    const N = 100_000;
    const proxy = await startTcpProxy(broker.port);
    await proxy.down();
    const subscriber = await subscribeEnvelopes(broker.url, INCIDENTS);
    const stack = uplinkStack(join(root, "bulk"), [`mqtt://127.0.0.1:${proxy.port}`], { window: 500 });
    try {
      await stack.lifecycle.start();
      const t0 = performance.now();
      await appendMany(stack.outbox, N);
      const appendS = (performance.now() - t0) / 1000;
      assert.equal(await stack.outbox.depth("incidents"), N);
      assert.equal(subscriber.tally.seen.size, 0);

      await proxy.up();
      const t1 = performance.now();
      await subscriber.waitForCount(N, 120_000);
      const drainS = (performance.now() - t1) / 1000;
      assertCompleteAndOrdered(subscriber.tally, N);
      // Deleted only after PUBACK: once all arrived the outbox empties.
      for (let i = 0; i < 100 && (await stack.outbox.depth("incidents")) > 0; i++) await sleep(50);
      assert.equal(await stack.outbox.depth("incidents"), 0);
      process.stdout.write(
        `# 100k: append ${Math.round(N / appendS)}/s, drain ${Math.round(N / drainS)}/s (incl. reconnect), duplicates ${subscriber.tally.duplicates}\n`,
      );
    } finally {
      await stack.lifecycle.stop();
      await subscriber.close();
      await proxy.close();
    }
  });

  void it("connections cut repeatedly mid-drain lose nothing and keep the order", async () => {
    const N = 30_000;
    const proxy = await startTcpProxy(broker.port);
    const subscriber = await subscribeEnvelopes(broker.url, INCIDENTS);
    const stack = uplinkStack(join(root, "cuts"), [`mqtt://127.0.0.1:${proxy.port}`], { window: 200 });
    try {
      await proxy.down();
      await stack.lifecycle.start();
      await appendMany(stack.outbox, N);
      await proxy.up();
      let cuts = 0;
      while (subscriber.tally.seen.size < N && cuts < 5) {
        await sleep(300);
        if (subscriber.tally.seen.size >= N) break;
        proxy.cut();
        cuts += 1;
      }
      await subscriber.waitForCount(N, 120_000);
      assert.ok(cuts >= 2, `the drain finished before enough cuts (${cuts})`);
      assertCompleteAndOrdered(subscriber.tally, N);
      process.stdout.write(`# cuts: ${cuts}, duplicates ${subscriber.tally.duplicates}\n`);
    } finally {
      await stack.lifecycle.stop();
      await subscriber.close();
      await proxy.close();
    }
  });

  void it("a gateway killed with SIGKILL mid-drain resumes after restart: nothing lost, order kept", async () => {
    const N = 30_000;
    const dataDir = join(root, "sigkill");
    const subscriber = await subscribeEnvelopes(broker.url, INCIDENTS);
    const child = join(import.meta.dirname, "..", "helpers", "drain-child.js");
    const runChild = (killAfterAcked: number | undefined): { exited: Promise<void>; kill(): void } => {
      const p = spawn(process.execPath, [child, dataDir, broker.url, String(N)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      // Killed mid-drain, never mid-fill: the fill is the test's setup, the drain is under test.
      let filled = false;
      createInterface({ input: p.stdout }).on("line", (line) => {
        if (line === "FILLED") filled = true;
        const acked = /^ACKED (\d+)/.exec(line);
        if (filled && killAfterAcked !== undefined && acked && Number(acked[1]) >= killAfterAcked) p.kill("SIGKILL");
      });
      const exited = new Promise<void>((resolve, reject) =>
        p.once("exit", (code, signal) =>
          signal === "SIGKILL" || code === 0 ? resolve() : reject(new Error(`drain child exited ${code ?? signal}`)),
        ),
      );
      return { exited, kill: () => p.kill("SIGKILL") };
    };
    let last: ReturnType<typeof runChild> | undefined;
    try {
      await runChild(1).exited;
      const afterFirst = subscriber.tally.seen.size;
      assert.ok(afterFirst > 0 && afterFirst < N, `first run delivered ${afterFirst}`);
      await runChild(Math.floor(N / 2)).exited;
      last = runChild(undefined);
      await subscriber.waitForCount(N, 120_000);
      assertCompleteAndOrdered(subscriber.tally, N);
      process.stdout.write(`# sigkill: duplicates ${subscriber.tally.duplicates}\n`);
    } finally {
      last?.kill();
      await last?.exited;
      await subscriber.close();
    }
  });
});
