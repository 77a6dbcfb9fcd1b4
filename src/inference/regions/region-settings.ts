import type { CameraConfig } from "../../config/schema.js";

/** A camera's region settings (`cameras[].detect`). */
export interface RegionSettings {
  /** false: every analysed frame is one whole-frame pass, as before regions. */
  readonly regions: boolean;
  readonly maxRegions: number;
  readonly fullFrameFps: number;
  readonly maxScale: number;
}

/** A camera's region settings, with the schema's defaults for cameras built in code. */
export function regionSettingsOf(camera: Pick<CameraConfig, "detect"> | undefined): RegionSettings {
  const d = camera?.detect;
  return {
    regions: d?.regions ?? true,
    maxRegions: d?.max_regions ?? 4,
    fullFrameFps: d?.full_frame_fps ?? 1,
    maxScale: d?.max_region_scale ?? 2,
  };
}
