// Shapes of routes that declare no response schema in the OpenAPI document yet (the health
// document, users, audit, watchlist): written from their contract (docs/mqtt.md "health",
// docs/security.md), and only the fields the console reads.
import type { Role } from "../../../src/contract/roles";

export type CameraState = "starting" | "online" | "stalled" | "backoff" | "offline" | "disabled";

export interface CameraHealth {
  readonly state: CameraState;
  readonly camera_fps?: number;
  readonly process_fps?: number;
  readonly connection_quality?: "excellent" | "fair" | "poor" | "unusable";
  readonly reconnects_last_hour?: number;
  readonly stalls_last_hour?: number;
  readonly restarts: number;
  readonly stalls: number;
  readonly last_frame_at: number | string | null;
  readonly last_error: string | null;
  readonly last_error_kind: string | null;
  readonly snapshots: number;
}

export interface ProviderHealth {
  readonly id: string;
  readonly backend: string;
  readonly model: string;
  readonly state: "healthy" | "degraded" | "unhealthy";
  readonly loaded: boolean;
  readonly runs: number;
  readonly failures: number;
  readonly failures_in_window: number;
  readonly consecutive_failures: number;
  readonly ewma_ms: number | null;
  readonly last_ms: number | null;
  readonly load_ms: number | null;
  readonly warmup_ms: number | null;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
  readonly down_until: string | null;
}

export interface CertificateHealth {
  readonly name: string;
  readonly kind: string;
  readonly not_after: string;
  readonly days_left: number;
  readonly status: string;
}

export interface SystemHealth {
  readonly cpu: { readonly cores: number; readonly load_percent: number | null; readonly load_average: readonly number[] };
  readonly memory: { readonly total_bytes: number; readonly available_bytes: number; readonly process_rss_bytes: number };
  readonly disk: { readonly mount: string; readonly total_bytes: number; readonly free_bytes: number; readonly free_percent: number } | null;
  readonly temperatures: { readonly cpu_main_c: number | null; readonly cpu_max_c: number | null };
  readonly gpus: ReadonlyArray<{ readonly model: string; readonly utilization_percent: number | null; readonly memory_used_mb: number | null; readonly memory_total_mb: number | null; readonly temperature_c: number | null }>;
}

/** `GET /v1/health` (docs/mqtt.md, the health document). */
export interface HealthDocument {
  readonly status: "ok" | "degraded" | "failing";
  readonly reasons: readonly string[];
  readonly version: string;
  readonly uptime_s: number;
  readonly cameras: Readonly<Record<string, CameraHealth>>;
  readonly detector: { readonly model: string; readonly provider: string; readonly runs: number; readonly last_ms: number | null; readonly mean_ms: number | null; readonly ms_per_frame: number | null };
  readonly providers: readonly ProviderHealth[];
  readonly uplink: { readonly connected: boolean; readonly broker: string | null; readonly brokers: ReadonlyArray<{ readonly url: string; readonly state: string; readonly last_error: string | null }> } | null;
  readonly outbox: { readonly max_bytes: number; readonly used_bytes: number; readonly depth: Readonly<Record<string, number>>; readonly oldest_age_s: Readonly<Record<string, number | null>>; readonly refused: number };
  readonly certificates: readonly CertificateHealth[];
  readonly system: SystemHealth | null;
}

export interface User {
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly created_at: string;
  readonly created_by: string;
  readonly password_changed_at: string;
}

export interface UserSession {
  readonly id: string;
  readonly user_agent: string | null;
  readonly source: string | null;
  readonly created_at: string;
  readonly last_activity_at: string;
  readonly expires_at: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly ts: string;
  readonly actor: string;
  readonly source?: string;
  readonly action: string;
  readonly target: string;
  readonly result: "ok" | "denied" | "error";
  readonly details?: Readonly<Record<string, unknown>>;
}
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next_after_seq: number | null;
  readonly head_seq: number;
}
export interface AuditVerify {
  readonly ok: boolean;
  readonly checked: number;
  readonly lastSeq: number;
  readonly firstBad?: { readonly seq: number; readonly reason: string };
}

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly threshold: number | null;
  readonly notes: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly embeddings: number;
}
export interface Watchlist {
  readonly persons: readonly Person[];
  readonly status: { readonly available: boolean; readonly reason: string | null; readonly persons: number };
}
