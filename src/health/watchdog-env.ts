/** Whether systemd expects WATCHDOG=1 from this process, and how often it must arrive. */
export type WatchdogSetting =
  | { readonly enabled: true; readonly intervalMs: number }
  /** `problem` is set when the environment asks for a watchdog we cannot honour (worth a warning). */
  | { readonly enabled: false; readonly problem?: string };

const DIGITS = /^[0-9]+$/;

/**
 * sd_watchdog_enabled(3) without libsystemd: WATCHDOG_USEC (microseconds, > 0) turns it on, and
 * WATCHDOG_PID, when present, must be this process (systemd sets it to the main PID; a child that
 * inherited the variables, or a node started through a wrapper that is the main PID, must not
 * ping on someone else's behalf).
 */
export function watchdogFromEnv(env: NodeJS.ProcessEnv, pid: number): WatchdogSetting {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === "") return { enabled: false };
  if (!DIGITS.test(usec) || Number(usec) <= 0 || !Number.isSafeInteger(Number(usec))) {
    return { enabled: false, problem: `WATCHDOG_USEC=${JSON.stringify(usec)} is not a positive integer` };
  }
  const owner = env.WATCHDOG_PID;
  if (owner !== undefined && owner !== "") {
    if (!DIGITS.test(owner)) return { enabled: false, problem: `WATCHDOG_PID=${JSON.stringify(owner)} is not a pid` };
    if (Number(owner) !== pid) {
      return {
        enabled: false,
        problem: `WATCHDOG_PID=${owner} is not this process (${pid}); is ExecStart= wrapped in a script without exec?`,
      };
    }
  }
  return { enabled: true, intervalMs: Number(usec) / 1000 };
}
