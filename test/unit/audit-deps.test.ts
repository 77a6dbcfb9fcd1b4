import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditVerdict } from "../../scripts/audit-deps.js";

void describe("the dependency audit gate", () => {
  void it("fails on high and critical advisories that have a fix, and only those", () => {
    const verdict = auditVerdict({
      auditReportVersion: 2,
      vulnerabilities: {
        a: { severity: "high", fixAvailable: true },
        b: { severity: "critical", fixAvailable: { name: "b", version: "2.0.0", isSemVerMajor: true } },
        c: { severity: "critical", fixAvailable: false },
        d: { severity: "moderate", fixAvailable: true },
      },
    });
    assert.equal(verdict.kind, "failing");
    assert.deepEqual(verdict.kind === "failing" ? verdict.findings.map((f) => f.name) : [], ["a", "b"]);
  });

  void it("passes a report without blocking advisories", () => {
    assert.deepEqual(auditVerdict({ auditReportVersion: 2, vulnerabilities: {} }), { kind: "clean", total: 0 });
  });

  void it("reports an unreachable advisory service as unchecked, not as clean", () => {
    const verdict = auditVerdict({
      message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
      statusCode: 405,
    });
    assert.equal(verdict.kind, "unchecked");
    assert.equal(auditVerdict(undefined).kind, "unchecked");
  });
});
