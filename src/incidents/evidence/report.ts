import type { AuditEntry } from "../../contract/audit.js";
import type { Incident, IncidentHistoryEntry } from "../../contract/incident.js";

/**
 * report.md: the pack read by a person, not a program. Each human decision is tied to the audit
 * entry that recorded it (same actor, same before and after, in order), so the reader can go from
 * the story to the seq that central checks against the chain.
 */

export function auditSeqFor(
  step: IncidentHistoryEntry,
  entries: readonly AuditEntry[],
  used: Set<number>,
): number | undefined {
  const match = entries.find((e) => {
    if (used.has(e.seq) || e.actor !== step.actor) return false;
    const d = e.details ?? {};
    return d.before === step.before && d.after === step.after;
  });
  if (match) used.add(match.seq);
  return match?.seq;
}

/** Markdown table cells: a pipe or newline in a note must not break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function renderReport(
  incident: Incident,
  audit: readonly AuditEntry[],
  meta: { site: string; gateway: string; createdAt: string; createdBy: string },
): string {
  const used = new Set<number>();
  const lines = [
    `# Incident ${incident.id}`,
    "",
    `- Site / gateway: ${meta.site} / ${meta.gateway}`,
    `- Camera: ${incident.camera_id}`,
    `- Rule: ${incident.rule}${incident.zone ? ` (zone ${incident.zone})` : ""}`,
    `- Status: ${incident.status} (version ${incident.version})${incident.dismiss_reason ? `, dismissed as ${incident.dismiss_reason}` : ""}`,
    `- Started: ${incident.started_at}`,
    `- Last seen: ${incident.last_seen_at}`,
    `- Ended: ${incident.ended_at ?? "not yet"}`,
    `- Confidence: ${incident.confidence}`,
    `- Objects: ${incident.objects.length === 0 ? "none" : incident.objects.map((o) => `${o.label} (${o.score}${o.track_id === undefined ? "" : `, track ${o.track_id}`})`).join(", ")}`,
    `- Recommended next step: ${incident.next_step}`,
    `- Snapshots: ${(incident.snapshots ?? []).length === 0 ? "none" : (incident.snapshots ?? []).map((s) => `snapshots/${s.file.slice(s.file.lastIndexOf("/") + 1)} (${s.captured_at}, SHA-256 ${s.sha256})`).join("; ")}`,
    "",
    "## Summary",
    "",
    incident.summary,
    "",
    "## Decisions",
    "",
    "| # | When | Who | Action | Before → After | Reason | Note | Audit seq |",
    "|---|------|-----|--------|----------------|--------|------|-----------|",
    ...incident.history.map((h, i) => {
      const seq = h.actor === "system" ? undefined : auditSeqFor(h, audit, used);
      return `| ${i + 1} | ${h.at} | ${cell(h.actor)} | ${cell(h.action)} | ${h.before ?? "—"} → ${h.after} | ${cell(h.reason ?? "")} | ${cell(h.note ?? "")} | ${seq ?? "—"} |`;
    }),
    "",
    "## Audit entries",
    "",
    audit.length === 0
      ? "None."
      : `Seqs ${audit.map((e) => e.seq).join(", ")} (full entries with their MACs in audit.json).`,
    "",
    `Exported ${meta.createdAt} by ${meta.createdBy}. File hashes are in manifest.json, signed by the gateway in manifest.jws.`,
    "",
  ];
  return lines.join("\n");
}
