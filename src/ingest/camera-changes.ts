import type { CameraConfig } from "../config/schema.js";

export interface CameraChanges {
  readonly added: readonly CameraConfig[];
  readonly removed: readonly string[];
  /** Cameras whose config differs: restarted with the new one. */
  readonly changed: readonly CameraConfig[];
  readonly unchanged: readonly string[];
}

/** What a new camera list changes, by id. Pure; order of the lists does not matter. */
export function cameraChanges(current: readonly CameraConfig[], next: readonly CameraConfig[]): CameraChanges {
  const before = new Map(current.map((c) => [c.id, c]));
  const after = new Map(next.map((c) => [c.id, c]));
  const added: CameraConfig[] = [];
  const changed: CameraConfig[] = [];
  const unchanged: string[] = [];
  for (const [id, cam] of after) {
    const old = before.get(id);
    if (!old) added.push(cam);
    else if (JSON.stringify(old) !== JSON.stringify(cam)) changed.push(cam);
    else unchanged.push(id);
  }
  const removed = [...before.keys()].filter((id) => !after.has(id));
  return { added, removed, changed, unchanged };
}
