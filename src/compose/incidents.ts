import type { VigilConfig } from "../config/schema.js";
import type { AuditRecorder } from "../contract/audit.js";
import type { VigilEvents } from "../contract/events.js";
import type { EventBus } from "../core/event-bus.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { IncidentService } from "../incidents/incident-service.js";
import { KpiWeeklyPublisher } from "../incidents/kpi-weekly-publisher.js";
import { KpiRollupStore } from "../incidents/kpi-rollup-store.js";
import { RetentionJob } from "../incidents/retention-job.js";
import { SnapshotStore } from "../incidents/snapshot-store.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import type { Outbox } from "../store/outbox.js";

export interface IncidentParts {
  readonly incidents: IncidentService;
  readonly snapshots: SnapshotStore;
  readonly weekly: KpiRollupStore;
}

/**
 * The KPI day rollups (the summary and the weekly figures), to be added right after the outbox:
 * they must be read (or built, for an older store) before anything (HTTP decisions, central's
 * commands, rules) writes an incident.
 */
export function addKpiWeeklyStore(
  lifecycle: Lifecycle,
  database: Database,
  _commits: GroupCommit,
  log: Logger,
): KpiRollupStore {
  return lifecycle.add(new KpiRollupStore(database, log.child({ component: "kpi-rollups" })));
}

/** Incidents with their weekly KPIs, snapshots, retention and the weekly publication. */
export function composeIncidents(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  deps: {
    database: Database;
    commits: GroupCommit;
    outbox: Outbox;
    bus: EventBus<VigilEvents>;
    audit: AuditRecorder;
    weekly: KpiRollupStore;
    log: Logger;
  },
): IncidentParts {
  const { database, commits, outbox, weekly, log } = deps;
  const policy = {
    minConfidence: config.incidents.min_confidence,
    watchlistThreshold: config.rules.watchlist_face.min_similarity,
    allowSelfApproval: config.incidents.allow_self_approval,
  };
  if (config.incidents.allow_self_approval) {
    log.warn(
      { key: "incidents.allow_self_approval" },
      "four-eyes rule off: a supervisor may approve a dispatch they requested themselves (one-person site)",
    );
  }
  const incidents = new IncidentService(
    database,
    outbox,
    deps.bus,
    log.child({ component: "incidents" }),
    deps.audit,
    policy,
    Date.now,
    weekly,
  );
  // Started before retention and anything that reads or writes incidents: an older store's indexes are built here.
  lifecycle.add(incidents.index);
  const snapshots = new SnapshotStore(config.data_dir);
  lifecycle.add(
    new RetentionJob({
      database,
      commits,
      audit: deps.audit,
      index: incidents.index,
      rollups: weekly,
      policy: { maxAgeDays: config.incidents.retention_days, maxBytes: config.incidents.retention_max_bytes },
      intervalMs: config.incidents.retention_interval_s * 1000,
      log: log.child({ component: "retention" }),
      snapshots,
    }),
  );
  lifecycle.add(
    new KpiWeeklyPublisher({
      database,
      outbox,
      weekly,
      intervalMs: config.incidents.kpi_weekly_check_s * 1000,
      log: log.child({ component: "kpi-weekly" }),
    }),
  );
  return { incidents, snapshots, weekly };
}
