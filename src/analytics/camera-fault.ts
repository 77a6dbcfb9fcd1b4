import type { CameraStateName } from "../contract/events.js";

/**
 * When a camera counts as down for the operators: not delivering frames (any state but online or
 * disabled) for longer than a threshold, so a two-second reconnect raises nothing. Pure: the
 * monitor feeds it state changes and clock ticks.
 */
export interface CameraFaultState {
  /** When the camera stopped delivering frames, or undefined while it is online (or disabled). */
  readonly downSince: number | undefined;
  readonly alerted: boolean;
}

export type CameraFaultEvent =
  { readonly kind: "offline"; readonly since: number } | { readonly kind: "online"; readonly downForMs: number };

export const CAMERA_UP: CameraFaultState = { downSince: undefined, alerted: false };

const isDown = (state: CameraStateName): boolean => state !== "online" && state !== "disabled";

export function onCameraState(
  s: CameraFaultState,
  state: CameraStateName,
  at: number,
): { state: CameraFaultState; event: CameraFaultEvent | undefined } {
  if (!isDown(state)) {
    const event =
      s.alerted && s.downSince !== undefined ? ({ kind: "online", downForMs: at - s.downSince } as const) : undefined;
    return { state: CAMERA_UP, event };
  }
  return { state: s.downSince === undefined ? { downSince: at, alerted: false } : s, event: undefined };
}

export function onTick(
  s: CameraFaultState,
  now: number,
  thresholdMs: number,
): { state: CameraFaultState; event: CameraFaultEvent | undefined } {
  if (s.downSince === undefined || s.alerted || now - s.downSince < thresholdMs) return { state: s, event: undefined };
  return { state: { ...s, alerted: true }, event: { kind: "offline", since: s.downSince } };
}
