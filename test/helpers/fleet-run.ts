import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { JWK } from "jose";
import { type AuditVerification, verifyAuditStream } from "../../src/central/audit-verifier.js";
import { gapWaitFor } from "../../src/central/gap-wait.js";
import { ConsumerStateStore } from "../../src/central/state-store.js";
import type { Envelope } from "../../src/contract/envelope.js";
import { type FleetDaemon, startFleetDaemon } from "./fleet-daemon.js";
import { startNatsCluster } from "./nats-cluster.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/**
 * The fleet scenario shared by the fleet test and bench/central-fleet: a 3-node NATS JetStream
 * cluster (mqtt ack_wait set, the consumer's gap wait following it), N gateways (the daemon's sync
 * composition) in a few processes, optionally a few full daemons (test/helpers/fleet-daemon.ts),
 * one central consumer process, and the faults: kill -9 of the node most gateways are on and its
 * restart, a cut of one gateway from every node, kill -9 of the consumer, kill -9 of a gateway
 * process, kill -9 of a full daemon and its restart. Returns what the assertions and the
 * benchmark need.
 */

export interface FleetOptions {
  readonly gateways: number;
  readonly processes: number;
  readonly ratePerGateway: number;
  readonly warmMs: number;
  readonly nodeDownMs: number;
  readonly cutMs: number;
  /**
   * Full daemons (`vigil run` child processes, gd-000...) besides the composed gateways, each
   * preferring the node that is killed, producing incidents from pushed tamper events at
   * `ratePerGateway`. The first is killed -9 and restarted with the gateway process.
   */
  readonly daemons?: number;
  /** The cluster's MQTT `ack_wait` in s (nats-server default 30; here 10 unless given). */
  readonly ackWaitS?: number;
  /** The consumer's gap wait; by default it follows the broker's ack_wait, as CentralConsumer's `brokerAckWaitMs` does. */
  readonly gapWaitMs?: number;
  readonly log?: (line: string) => void;
}

export interface FleetReport {
  readonly acked: number;
  /** Acknowledged messages per gateway. */
  readonly ackedBy: Record<string, number>;
  /** Per full daemon: incidents acknowledged by its restarted run (after the kill -9). */
  readonly ackedAfterRestart: Record<string, number>;
  readonly missing: string[];
  readonly deliveredTwice: number;
  readonly gaps: unknown[];
  /** Messages delivered after their hole had been reported as a gap (redelivered late). */
  readonly late: number;
  /** Per late delivery: ms from its gap report to it, and the last fault before the hole opened. */
  readonly lateDetails: Array<{ stream: string; seq: number; afterGapMs: number; fault: string }>;
  readonly ackWaitS: number;
  readonly gapWaitMs: number;
  readonly audit: Record<string, AuditVerification & { quiescedHead: number }>;
  /** Per gateway on the killed node: ms from the kill to its first delivery at central after it. */
  readonly failoverMs: number[];
  readonly deliveredTotal: number;
  readonly steadyMsgPerS: number;
  readonly consumerCpuMsPer1000: number | undefined;
  readonly durationMs: number;
}

/** Children still running, killed if the test process exits first (one exit hook for all). */
const running = new Set<ChildProcessByStdio<null, Readable, Readable>>();
process.once("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

type Child = {
  child: ChildProcessByStdio<null, Readable, Readable>;
  lines: Array<Record<string, unknown> & { at: number }>;
  exited: Promise<void>;
};

function start(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Child["lines"] = [];
  let buf = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push({ ...(JSON.parse(line) as Record<string, unknown>), at: Date.now() });
      } catch {
        // not ours
      }
    }
  });
  child.stderr.resume();
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  running.add(child);
  void exited.then(() => running.delete(child));
  return { child, lines, exited };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`fleet: timed out waiting for ${what}`);
    await sleep(50);
  }
}

const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

export async function runFleet(opts: FleetOptions): Promise<FleetReport> {
  const log = opts.log ?? (() => {});
  const began = Date.now();
  const root = await mkdtemp(join(tmpdir(), "vigil-fleet-"));
  const ackWaitS = opts.ackWaitS ?? 10;
  const gapWaitMs = gapWaitFor({
    ...(opts.gapWaitMs !== undefined ? { gapWaitMs: opts.gapWaitMs } : {}),
    brokerAckWaitMs: ackWaitS * 1000,
  });
  const faults: Array<{ at: number; what: string }> = [{ at: began, what: "none" }];
  const cluster = await startNatsCluster({ mqttAckWaitS: ackWaitS });
  const proxies: TcpProxy[] = [];
  const consumers: Child[] = [];
  const gatewayProcs: Child[] = [];
  const daemons: FleetDaemon[] = [];
  try {
    const urls = cluster.mqttUrls;
    for (const node of cluster.nodes) proxies.push(await startTcpProxy(node.mqttPort));
    const consumerScript = join(import.meta.dirname, "central-consumer-child.js");
    const consumerArgs = [
      [...urls].reverse().join(","),
      join(root, "central"),
      "vigil-central-fleet",
      String(gapWaitMs),
      "-",
    ];
    const startConsumer = async (): Promise<Child> => {
      const c = start(consumerScript, consumerArgs);
      consumers.push(c);
      await until("consumer connected", () => c.lines.some((l) => l.kind === "connected"), 30_000);
      return c;
    };
    await startConsumer();
    log(`cluster and consumer up in ${Date.now() - began} ms`);

    const rotated = (i: number, list: readonly string[]) => list.map((_, k) => list[(i + k) % list.length] as string);
    const proxyUrls = proxies.map((p) => `mqtt://127.0.0.1:${p.port}`);
    const brokersOf = (i: number) => (i === 0 ? rotated(i, proxyUrls) : rotated(i, urls));
    const perProc = Math.ceil(opts.gateways / opts.processes);
    const gwScript = join(import.meta.dirname, "fleet-gateways-child.js");
    const procArgs = (p: number) => {
      const firstIdx = p * perProc;
      const n = Math.min(perProc, opts.gateways - firstIdx);
      return [
        join(root, "gateways"),
        "fleet",
        String(firstIdx),
        String(n),
        String(opts.ratePerGateway),
        Array.from({ length: n }, (_, k) => brokersOf(firstIdx + k).join(",")).join(";"),
      ];
    };
    for (let p = 0; p < opts.processes; p++) gatewayProcs.push(start(gwScript, procArgs(p)));
    await until("gateways started", () => gatewayProcs.every((g) => g.lines.some((l) => l.kind === "started")), 60_000);
    log(`${opts.gateways} gateways in ${opts.processes} processes started`);
    // The node most gateways use first (gateway i starts on node i % 3) is the one killed.
    const onNode = [0, 0, 0];
    for (let i = 0; i < opts.gateways; i++) onNode[i % 3] = (onNode[i % 3] ?? 0) + 1;
    const victim = onNode.indexOf(Math.max(...onNode));
    for (let d = 0; d < (opts.daemons ?? 0); d++) {
      daemons.push(
        await startFleetDaemon({
          site: "fleet",
          gateway: `gd-${String(d).padStart(3, "0")}`,
          brokers: rotated(victim, urls),
          ratePerS: opts.ratePerGateway,
        }),
      );
    }
    if (daemons.length > 0) log(`${daemons.length} full daemons started, on node n${victim + 1} first`);
    await sleep(opts.warmMs);

    const delivered = () => consumers.flatMap((c) => c.lines.filter((l) => l.kind === "delivered"));
    // Steady state, before any fault: throughput and the consumer's CPU per message.
    const c0 = consumers[0] as Child;
    const n0 = delivered().length;
    const cpu0 = c0.child.pid ? cpuMs(c0.child.pid) : 0;
    const t0 = Date.now();
    await sleep(Math.max(2_000, opts.warmMs));
    const steadyN = delivered().length - n0;
    const steadyMs = Date.now() - t0;
    const cpu1 = c0.child.pid ? cpuMs(c0.child.pid) : 0;
    const steadyMsgPerS = (steadyN * 1000) / steadyMs;
    const consumerCpuMsPer1000 = steadyN > 0 ? ((cpu1 - cpu0) * 1000) / steadyN : undefined;

    // Fault 1: kill -9 the node most gateways use first.
    const affected = Array.from({ length: opts.gateways }, (_, i) => i).filter((i) => i % 3 === victim && i !== 0);
    const killedAt = Date.now();
    faults.push({ at: killedAt, what: "node kill" });
    await cluster.kill(victim);
    log(`node n${victim + 1} killed (${affected.length} gateways on it)`);
    await sleep(opts.nodeDownMs);
    await cluster.restart(victim);
    log(`node n${victim + 1} back after ${Date.now() - killedAt} ms`);

    // Fault 2: gw-000 cut from every node.
    faults.push({ at: Date.now(), what: "gateway cut" });
    for (const p of proxies) await p.down();
    await sleep(opts.cutMs);
    for (const p of proxies) await p.up();
    log(`gw-000 cut for ${opts.cutMs} ms`);

    // Fault 3: kill -9 the consumer, start it again on the same state.
    faults.push({ at: Date.now(), what: "consumer kill" });
    consumers[consumers.length - 1]?.child.kill("SIGKILL");
    await consumers[consumers.length - 1]?.exited;
    await sleep(1_000);
    await startConsumer();
    log("consumer killed and restarted");

    // Fault 4: kill -9 a gateway process, start it again on the same data dirs.
    const lastP = opts.processes - 1;
    faults.push({ at: Date.now(), what: "gateway process kill" });
    gatewayProcs[lastP]?.child.kill("SIGKILL");
    await gatewayProcs[lastP]?.exited;
    await sleep(1_000);
    gatewayProcs.push(start(gwScript, procArgs(lastP)));
    await until(
      "gateway process restarted",
      () => gatewayProcs.at(-1)?.lines.some((l) => l.kind === "started") === true,
      60_000,
    );
    log("gateway process killed and restarted");
    const killedDaemon = daemons[0];
    if (killedDaemon) {
      faults.push({ at: Date.now(), what: "daemon kill" });
      await killedDaemon.kill9();
      await sleep(500);
      await killedDaemon.restart();
      log(`daemon ${killedDaemon.gateway} killed and restarted`);
      // Let the restarted daemon produce for a while before the fleet quiesces.
      await sleep(2_000);
    }
    await sleep(2_000);

    const live = [...gatewayProcs.slice(0, lastP), gatewayProcs.at(-1) as Child];
    for (const g of live) g.child.kill("SIGUSR2");
    for (const d of daemons) d.stopProducing();
    await until(
      "gateways quiesced",
      () => live.reduce((n, g) => n + g.lines.filter((l) => l.kind === "quiesced").length, 0) >= opts.gateways,
      60_000,
    );
    const acks: Array<Record<string, unknown>> = gatewayProcs.flatMap((g) => g.lines.filter((l) => l.kind === "ack"));
    acks.push(...daemons.flatMap((d) => d.acks().map((a) => ({ ...a }))));
    const seen = () =>
      new Set(
        consumers.flatMap((c) =>
          c.lines
            .filter((l) => l.kind === "delivered" || l.kind === "duplicate")
            .map((l) => `${String(l.stream)}#${String(l.seq)}`),
        ),
      );
    const want = acks.map((a) => `fleet/${String(a.gateway)}/incidents#${String(a.seq)}`);
    await until(
      "every acknowledged incident at central",
      () => {
        const s = seen();
        return want.every((w) => s.has(w));
      },
      120_000,
    ).catch(() => log("not every acknowledged incident arrived"));
    // Quiet for a moment: the final checkpoints and anything in flight land.
    let last = -1;
    while (delivered().length !== last) {
      last = delivered().length;
      await sleep(1_500);
    }
    // Measured at the end, not when the node is back: a gateway that fails over only after the
    // restart counts too (a gateway with no delivery after the kill at all counts as missing).
    const failoverMs = affected.flatMap((i) => {
      const name = `fleet/gw-${String(i).padStart(3, "0")}/`;
      const after = delivered().find((l) => l.at > killedAt && String(l.stream).startsWith(name));
      return after ? [after.at - killedAt] : [];
    });
    const quiesced = new Map(
      live.flatMap((g) =>
        g.lines.filter((l) => l.kind === "quiesced").map((l) => [String(l.gateway), Number(l.auditHead)] as const),
      ),
    );
    const pubkeys = new Map(
      gatewayProcs.flatMap((g) =>
        g.lines.filter((l) => l.kind === "pubkey").map((l) => [String(l.gateway), l.jwk as JWK] as const),
      ),
    );
    for (const g of live) g.child.kill("SIGTERM");
    await Promise.all(live.map((g) => g.exited));
    for (const d of daemons) {
      quiesced.set(d.gateway, await d.stop());
      pubkeys.set(d.gateway, d.publicJwk);
    }
    const consumer = consumers.at(-1) as Child;
    consumer.child.kill("SIGTERM");
    await consumer.exited;

    const store = new ConsumerStateStore(join(root, "central", "central-db"));
    await store.open();
    const counts = new Map<string, number>();
    const stored = new Map<string, Envelope>();
    try {
      for await (const [k, v] of store.app.iterator()) {
        if (k.startsWith("count!")) counts.set(k.slice(6), v as number);
        else if (k.startsWith("msg!")) stored.set(k.slice(4), v as Envelope);
      }
    } finally {
      await store.close();
    }
    const byId = new Set([...stored.values()].map((e) => e.id));
    // A composed gateway's ack names the envelope id; a daemon's, the incident the envelope carries at that seq.
    const arrived = (a: Record<string, unknown>): boolean =>
      typeof a.id === "string"
        ? byId.has(a.id)
        : (
            stored.get(`fleet/${String(a.gateway)}/incidents/${String(a.seq).padStart(10, "0")}`)?.data as
              { id?: string } | undefined
          )?.id === a.incident;
    const missing = acks.filter((a) => !arrived(a)).map((a) => `${String(a.gateway)}#${String(a.seq)}`);
    const audit: FleetReport["audit"] = {};
    for (const [gateway, jwk] of pubkeys) {
      const envelopes = [...stored.entries()]
        .filter(([k]) => k.startsWith(`fleet/${gateway}/audit/`))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, e]) => e);
      audit[gateway] = {
        ...(await verifyAuditStream(envelopes, jwk, { site: "fleet", gateway })),
        quiescedHead: quiesced.get(gateway) ?? -1,
      };
    }
    const gapLines = consumers.flatMap((c) => c.lines.filter((l) => l.kind === "gap"));
    const lateDetails = consumers.flatMap((c) =>
      c.lines
        .filter((l) => l.kind === "late")
        .map((l) => {
          const gap = gapLines.find(
            (g) => g.stream === l.stream && Number(g.from) <= Number(l.seq) && Number(l.seq) <= Number(g.to),
          );
          const opened = (gap?.at ?? l.at) - gapWaitMs;
          return {
            stream: String(l.stream),
            seq: Number(l.seq),
            afterGapMs: gap ? l.at - gap.at : -1,
            fault: faults.filter((f) => f.at <= opened).at(-1)?.what ?? "none",
          };
        }),
    );
    return {
      lateDetails,
      ackWaitS,
      gapWaitMs,
      acked: acks.length,
      ackedBy: acks.reduce<Record<string, number>>(
        (m, a) => ({ ...m, [String(a.gateway)]: (m[String(a.gateway)] ?? 0) + 1 }),
        {},
      ),
      ackedAfterRestart: Object.fromEntries(daemons.map((d) => [d.gateway, d.acksOfLastRun()])),
      missing,
      deliveredTwice: [...counts.values()].filter((n) => n > 1).length,
      gaps: consumers.flatMap((c) => c.lines.filter((l) => l.kind === "gap")),
      late: consumers.flatMap((c) => c.lines.filter((l) => l.kind === "late")).length,
      audit,
      failoverMs,
      deliveredTotal: stored.size,
      steadyMsgPerS,
      consumerCpuMsPer1000,
      durationMs: Date.now() - began,
    };
  } finally {
    for (const d of daemons) await d.cleanup();
    for (const c of [...consumers, ...gatewayProcs]) c.child.kill("SIGKILL");
    await Promise.all([...consumers, ...gatewayProcs].map((c) => c.exited));
    for (const p of proxies) await p.close();
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  }
}
