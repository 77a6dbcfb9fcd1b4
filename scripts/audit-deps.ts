// Fails the test command on high or critical advisories in production dependencies that have a
// fix. Run after the build as `node dist/scripts/audit-deps.js`. When the advisory service cannot
// be reached (an offline or proxied site) it says so loudly and passes, unless
// VIGIL_REQUIRE_AUDIT=1 makes an unchecked audit a failure too.
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

export interface AuditFinding {
  readonly name: string;
  readonly severity: string;
  readonly fix: string;
}

export type AuditVerdict =
  | { kind: "clean"; total: number }
  | { kind: "failing"; findings: AuditFinding[]; total: number }
  | { kind: "unchecked"; reason: string };

const BLOCKING = new Set(["high", "critical"]);

/** Pure: the verdict on `npm audit --json` output (npm 7+ report format). */
export function auditVerdict(report: unknown): AuditVerdict {
  const r = report as {
    error?: { summary?: string };
    message?: string;
    statusCode?: number;
    vulnerabilities?: Record<string, { severity?: string; fixAvailable?: unknown }>;
  };
  if (!r || typeof r !== "object") return { kind: "unchecked", reason: "npm audit printed no report" };
  if (!r.vulnerabilities)
    return { kind: "unchecked", reason: r.error?.summary || r.message || `no report (status ${r.statusCode ?? "?"})` };
  const entries = Object.entries(r.vulnerabilities);
  const findings = entries
    .filter(([, v]) => BLOCKING.has(v.severity ?? "") && v.fixAvailable !== false && v.fixAvailable !== undefined)
    .map(([name, v]) => {
      const fix = v.fixAvailable as true | { name?: string; version?: string; isSemVerMajor?: boolean };
      const how =
        fix === true
          ? "npm audit fix"
          : `upgrade ${fix.name ?? name} to ${fix.version ?? "?"}${fix.isSemVerMajor ? " (major)" : ""}`;
      return { name, severity: v.severity ?? "?", fix: how };
    });
  return findings.length > 0
    ? { kind: "failing", findings, total: entries.length }
    : { kind: "clean", total: entries.length };
}

function main(): void {
  const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  let report: unknown;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = undefined;
  }
  const verdict = auditVerdict(report);
  if (verdict.kind === "clean") {
    process.stdout.write(`npm audit: no high or critical advisory with a fix (${verdict.total} advisories in all)\n`);
    return;
  }
  if (verdict.kind === "failing") {
    for (const f of verdict.findings) process.stderr.write(`npm audit: ${f.severity} in ${f.name}: ${f.fix}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`npm audit: WARNING dependency advisories were NOT checked: ${verdict.reason}\n`);
  if (process.env.VIGIL_REQUIRE_AUDIT === "1") process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
