import type { AuditInput, AuditRecorder } from "../contract/audit.js";
import { AuditThrottle } from "./audit-throttle.js";

/**
 * An audit recorder for refusals that can come in floods: per key (a source and a reason, never
 * anything else the caller chooses), the first of each window is recorded and the rest are counted
 * into the next recorded one as `details.suppressed`. The trail stays complete in number.
 */
export class ThrottledAudit {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly throttle: AuditThrottle = new AuditThrottle(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the entry was recorded (false: counted, to be reported with the next one). */
  async record(key: string, input: AuditInput): Promise<boolean> {
    const admitted = this.throttle.admit(key, this.now());
    if (!admitted.record) return false;
    await this.audit.record(
      admitted.suppressed > 0 ? { ...input, details: { ...input.details, suppressed: admitted.suppressed } } : input,
    );
    return true;
  }
}
