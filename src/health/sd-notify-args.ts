import { ErrorCodes, VigilError } from "../core/errors.js";

/** One sd_notify field, e.g. ["READY", "1"]; a message is a list of them, sent as one datagram. */
export type NotifyField = readonly [key: string, value: string];

/** STATUS= is shown by `systemctl status`; longer text only crowds the line. */
export const MAX_NOTIFY_VALUE_CHARS = 400;

const KEY = /^[A-Z][A-Z0-9_]*$/;
// The protocol is newline-separated KEY=VALUE: a newline inside a value (a camera id, an error
// message in a readiness reason) would forge a second field such as READY=1. Every control
// character goes, not only \n.
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A value made safe for one sd_notify field: control characters become spaces, length capped. */
export function sanitizeNotifyValue(value: string, max = MAX_NOTIFY_VALUE_CHARS): string {
  const flat = value.replace(CONTROL, " ").trim();
  if (flat.length <= max) return flat;
  // Cut on a code point boundary so a surrogate pair is never split.
  return `${Array.from(flat.slice(0, max + 1))
    .slice(0, max - 1)
    .join("")}…`;
}

/**
 * The argv for `/usr/bin/systemd-notify` (after the program name) carrying one message.
 *
 * `--pid=` makes systemd-notify add MAINPID=<pid> (a no-op when it already is the main PID, and a
 * fix when ExecStart= went through a wrapper) and, where it is privileged, send with that PID's
 * credentials. Fields come after `--`, so nothing in them is ever read as an option.
 * systemd-notify is used without `--no-block` on purpose: it then waits until the manager has
 * processed the message, which is what lets systemd attribute a message from a short-lived child
 * to the unit at all (see systemd-notify(1)).
 */
export function notifyArgs(pid: number, fields: readonly NotifyField[]): string[] {
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw new VigilError(ErrorCodes.INTERNAL, `invalid pid for sd_notify: ${pid}`);
  if (fields.length === 0) throw new VigilError(ErrorCodes.INTERNAL, "empty sd_notify message");
  const assignments = fields.map(([key, value]) => {
    if (!KEY.test(key))
      throw new VigilError(ErrorCodes.INTERNAL, `invalid sd_notify field name: ${JSON.stringify(key)}`);
    return `${key}=${sanitizeNotifyValue(value)}`;
  });
  return [`--pid=${pid}`, "--", ...assignments];
}
