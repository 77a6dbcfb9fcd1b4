import { access } from "node:fs/promises";

/** Whether a path exists (and is reachable); for "refuse to overwrite" checks, not for races. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
