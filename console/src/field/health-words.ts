// Plain words for what the health document says in codes, so a field tech reads the problem
// instead of decoding it. Pure functions: the health page and its tests share them.
import type { CameraHealth, CameraState } from "../api/field";

export type Tone = "ok" | "warn" | "bad" | "off";

const STATE_WORDS: Record<CameraState, { text: string; tone: Tone }> = {
  online: { text: "Online", tone: "ok" },
  starting: { text: "Starting", tone: "warn" },
  stalled: { text: "Stalled: no pictures arrive", tone: "bad" },
  backoff: { text: "Offline, reconnecting", tone: "bad" },
  offline: { text: "Offline", tone: "bad" },
  disabled: { text: "Disabled", tone: "off" },
};

export function stateWords(state: CameraState): { text: string; tone: Tone } {
  return STATE_WORDS[state] ?? { text: state, tone: "warn" };
}

const ERROR_WORDS: Record<string, string> = {
  unauthorized: "Unauthorized: the camera refused the user name or password",
  not_found: "No such stream: check the path in the camera URL",
  unreachable: "Unreachable: nothing answers at the camera's address",
  timeout: "No answer: the camera did not reply in time",
  no_video: "No video: the stream carries no picture",
  bad_stream: "Unreadable stream: the video cannot be decoded",
  hwaccel: "Hardware decoding failed",
  ended: "The stream ended",
  failed: "The stream failed",
};

/** The camera's last error in plain words, or undefined when it has none worth showing. */
export function errorWords(c: Pick<CameraHealth, "last_error" | "last_error_kind" | "state">): string | undefined {
  if (c.last_error_kind) return ERROR_WORDS[c.last_error_kind] ?? c.last_error ?? c.last_error_kind;
  return c.last_error ?? undefined;
}

const QUALITY_TONE: Record<string, Tone> = { excellent: "ok", fair: "warn", poor: "bad", unusable: "bad" };
export const qualityTone = (q: string | undefined): Tone => (q === undefined ? "off" : (QUALITY_TONE[q] ?? "warn"));

export const STATUS_WORDS: Record<string, { text: string; tone: Tone }> = {
  ok: { text: "OK", tone: "ok" },
  degraded: { text: "Degraded", tone: "warn" },
  failing: { text: "Failing", tone: "bad" },
};

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export const num = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined ? "–" : n.toFixed(digits);

export function age(s: number | null | undefined): string {
  if (s === null || s === undefined) return "none waiting";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
