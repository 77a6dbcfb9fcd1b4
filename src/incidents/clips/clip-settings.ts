import type { CameraConfig, ClipsConfig } from "../../config/schema.js";
import type { ClipSettings } from "./clip-plan.js";

export interface CameraClipSettings extends ClipSettings {
  readonly enabled: boolean;
}

/** Streams the ring can copy; push cameras and files have none to record. */
const RECORDABLE = /^rtsps?:\/\//i;

/** A camera's clip settings: its own `clips` keys over the site-wide ones. Pure. */
export function clipSettingsFor(camera: Pick<CameraConfig, "url" | "clips">, site: ClipsConfig): CameraClipSettings {
  const c = camera.clips ?? {};
  return {
    enabled: (c.enabled ?? site.enabled) && camera.url !== undefined && RECORDABLE.test(camera.url),
    preRollMs: (c.pre_roll_s ?? site.pre_roll_s) * 1000,
    postRollMs: (c.post_roll_s ?? site.post_roll_s) * 1000,
    maxClipMs: (c.max_clip_s ?? site.max_clip_s) * 1000,
  };
}
