import { Writable } from "node:stream";
import { gatewayTopics } from "../../src/contract/topics.js";
import { Lifecycle } from "../../src/core/lifecycle.js";
import { createLogger, type Logger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { MqttUplink } from "../../src/sync/mqtt-uplink.js";
import { Outbox } from "../../src/store/outbox.js";
import { OutboxPublisher } from "../../src/sync/outbox-publisher.js";

export const SITE = "t";
export const GATEWAY = "gw";
export const TOPICS = gatewayTopics("vigil", SITE, GATEWAY);

export const silentLogger = (): Logger => createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

export interface UplinkStack {
  readonly lifecycle: Lifecycle;
  readonly outbox: Outbox;
  readonly uplink: MqttUplink;
  readonly publisher: OutboxPublisher;
}

/** The daemon's sync path, as the composition root builds it, without cameras or models. */
export function uplinkStack(
  dataDir: string,
  brokers: string[],
  opts: { window?: number; failbackProbeMs?: number; log?: Logger } = {},
): UplinkStack {
  const log = opts.log ?? silentLogger();
  const lifecycle = new Lifecycle(log);
  const database = lifecycle.add(new Database(dataDir, log));
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(new Outbox(database, commits, { site: SITE, gateway: GATEWAY }));
  const uplink = lifecycle.add(
    new MqttUplink(
      {
        brokers,
        clientId: `vigil-${SITE}-${GATEWAY}`,
        keepaliveS: 30,
        sessionExpiryS: 3600,
        failbackProbeMs: opts.failbackProbeMs ?? 30_000,
        version: "test",
      },
      TOPICS,
      log,
    ),
  );
  const publisher = lifecycle.add(new OutboxPublisher(outbox, uplink, TOPICS, opts.window ?? 100, log));
  return { lifecycle, outbox, uplink, publisher };
}

/** Appends `count` incident envelopes with `concurrency` writers (group-committed). */
export async function appendMany(outbox: Outbox, count: number, concurrency = 64): Promise<void> {
  let next = 0;
  const body = "x".repeat(900);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await outbox.append("incidents", "incident.created", { i, body });
      }
    }),
  );
}
