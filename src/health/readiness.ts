export interface ReadinessCheck {
  readonly name: string;
  /** undefined when ready, otherwise why not (no secrets, no URLs with credentials). */
  check(): string | undefined;
}

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly { check: string; reason: string }[];
}

/** Ready means: the store is open, the model is loaded and every enabled camera has started once. */
export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];

  add(name: string, check: () => string | undefined): void {
    this.checks.push({ name, check });
  }

  evaluate(): Readiness {
    const reasons = this.checks.flatMap((c) => {
      const reason = c.check();
      return reason === undefined ? [] : [{ check: c.name, reason }];
    });
    return { ready: reasons.length === 0, reasons };
  }
}
