/** What a component tells the audit trail; the audit log adds seq, time and the chain MACs. */
export interface AuditInput {
  /** Who: a username, `camera:<id>`, `central` (signed command), or `system`. */
  readonly actor: string;
  /** Source address of the request, if any (anonymised by the audit log when configured). */
  readonly source?: string | undefined;
  /** Dotted verb, e.g. `auth.login`, `incident.decision`, `command.received`, `config.changed`. */
  readonly action: string;
  /** What was acted on, e.g. `incident:<id>`, `user:<name>`, `command:<id>`. */
  readonly target: string;
  readonly result: "ok" | "denied" | "error";
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** A stored, chained audit entry (also the `data` of `audit.entry` envelopes). */
export interface AuditEntry extends AuditInput {
  readonly seq: number;
  readonly ts: string;
  readonly prev_mac: string;
  readonly mac: string;
}

/** The one thing most components need from the audit log: record, and resolve once durable. */
export interface AuditRecorder {
  record(input: AuditInput): Promise<AuditEntry>;
}
