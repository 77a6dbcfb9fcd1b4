import { AuditLog } from "../audit/audit-log.js";
import { auditKeyFromSecret } from "../audit/chain.js";
import { CheckpointPublisher } from "../audit/checkpoint.js";
import type { VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { GatewayTopics } from "../contract/topics.js";
import type { Lifecycle } from "../core/lifecycle.js";
import { type Logger, redactUrlCredentials } from "../core/logger.js";
import { VERSION } from "../core/version.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { registerBuiltinCommands } from "../sync/commands/builtin-commands.js";
import { CommandDispatcher } from "../sync/commands/command-dispatcher.js";
import { CommandStore } from "../sync/commands/command-store.js";
import { commandTopicFilter, resultTopic } from "../sync/commands/command-topic.js";
import { CommandVerifier } from "../sync/commands/command-verifier.js";
import { EmbeddedBroker } from "../sync/embedded-broker.js";
import { HealthPublisher } from "../sync/health-publisher.js";
import { MqttUplink } from "../sync/mqtt-uplink.js";
import type { Outbox } from "../store/outbox.js";
import { OutboxPublisher } from "../sync/outbox-publisher.js";
import { plainNetworkBrokers } from "../config/mqtt-rules.js";

export interface SyncParts {
  readonly audit: AuditLog;
  readonly checkpoints: CheckpointPublisher;
  readonly uplink: MqttUplink | undefined;
  readonly publisher: OutboxPublisher | undefined;
  readonly brokerUrls: readonly string[];
  /** Present when commands are accepted (`commands.key_file` set); other parts register theirs. */
  readonly commands: CommandDispatcher | undefined;
}

/** Audit chain, checkpoints, and the uplink with its publisher and command channel. */
export function composeSync(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  secrets: Secrets,
  deps: {
    database: Database;
    commits: GroupCommit;
    outbox: Outbox;
    topics: GatewayTopics;
    health: () => unknown;
    log: Logger;
  },
): SyncParts {
  const { database, commits, outbox, topics, log } = deps;
  const identity = { site: config.site, gateway: config.gateway };
  const audit = lifecycle.add(
    new AuditLog(
      database,
      outbox,
      auditKeyFromSecret(secrets.audit_hmac_key),
      identity,
      { anonymiseSources: config.audit.anonymise_sources },
      log.child({ component: "audit" }),
    ),
  );
  const checkpoints = lifecycle.add(
    new CheckpointPublisher(
      audit,
      outbox,
      secrets.audit_checkpoint_key,
      config.audit.checkpoint_interval_s * 1000,
      identity,
      log.child({ component: "checkpoints" }),
    ),
  );
  // The daemon's own start and stop belong in the trail: a gap between them is worth a question.
  lifecycle.add({
    name: "audit-lifecycle",
    start: async () =>
      void (await audit.record({
        actor: "system",
        action: "system.start",
        target: `gateway:${config.site}/${config.gateway}`,
        result: "ok",
        details: { version: VERSION },
      })),
    stop: async () =>
      void (await audit.record({
        actor: "system",
        action: "system.stop",
        target: `gateway:${config.site}/${config.gateway}`,
        result: "ok",
      })),
  });

  const brokerUrls = [...config.mqtt.brokers];
  const plain = plainNetworkBrokers(config);
  // Only reachable with mqtt.allow_plain (the loader refuses it otherwise): said at every start.
  if (plain.length > 0)
    log.warn(
      { brokers: plain.map((u) => redactUrlCredentials(u)) },
      "MQTT without TLS on the network (mqtt.allow_plain): incidents, audit and commands travel in clear",
    );
  if (brokerUrls.length === 0 && config.mqtt.embedded.enabled) {
    const embedded = lifecycle.add(
      new EmbeddedBroker(config.mqtt.embedded.listen, log.child({ component: "embedded-broker" })),
    );
    brokerUrls.push(embedded.url);
  }
  if (brokerUrls.length === 0) {
    log.warn("no MQTT broker configured: messages stay in the outbox until one is");
    return { audit, checkpoints, uplink: undefined, publisher: undefined, brokerUrls, commands: undefined };
  }

  const uplink = new MqttUplink(
    {
      brokers: brokerUrls,
      clientId: config.mqtt.client_id,
      keepaliveS: config.mqtt.keepalive_s,
      sessionExpiryS: config.mqtt.session_expiry_s,
      failbackProbeMs: config.mqtt.failback_probe_s * 1000,
      tls: config.mqtt.tls,
      version: VERSION,
    },
    topics,
    log.child({ component: "uplink" }),
  );
  let commands: CommandDispatcher | undefined;
  if (config.commands.key_file !== "") {
    const verifier = lifecycle.add(
      new CommandVerifier({
        keyFile: config.commands.key_file,
        algorithms: config.commands.algorithms,
        clockToleranceS: config.commands.clock_tolerance_s,
        maxLifetimeS: config.commands.max_lifetime_s,
        audience: `${config.site}/${config.gateway}`,
      }),
    );
    const store = lifecycle.add(new CommandStore(database, commits));
    const dispatcher = lifecycle.add(
      new CommandDispatcher({ base: topics.base, verifier, store, audit, log: log.child({ component: "commands" }) }),
    );
    commands = dispatcher;
    registerBuiltinCommands(dispatcher, {
      health: deps.health,
      checkpointNow: () => checkpoints.publishNow({ force: true }),
    });
    uplink.subscribe(commandTopicFilter(topics.base), (topic, payload) => {
      void dispatcher
        .handle(topic, payload)
        .then((answer) =>
          answer ? uplink.publish(resultTopic(topics.base, answer.name), JSON.stringify(answer.result)) : undefined,
        )
        .catch((err: unknown) => log.error({ err, topic }, "command handling failed"));
    });
  }
  lifecycle.add(uplink);
  const publisher = lifecycle.add(
    new OutboxPublisher(outbox, uplink, topics, config.mqtt.inflight_window, log.child({ component: "publisher" })),
  );
  lifecycle.add(
    new HealthPublisher(
      uplink,
      topics.health,
      deps.health,
      config.mqtt.health_interval_s * 1000,
      log.child({ component: "health-publisher" }),
    ),
  );
  return { audit, checkpoints, uplink, publisher, brokerUrls, commands };
}
