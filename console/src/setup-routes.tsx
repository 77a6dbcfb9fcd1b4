// The installers' pages (admin): cameras, and one camera's keys, zones, rules and detection
// preview. Loaded on first visit like the field pages, so they cost the first load nothing.
import type { JSX } from "preact";
import { roleIncludes, type Role } from "../../src/contract/roles";
import { lazy } from "./field-routes";

const CamerasPage = lazy(() => import("./pages/setup/cameras").then((m) => m.CamerasPage));
const CameraPage = lazy<{ id: string }>(() => import("./pages/setup/camera-page").then((m) => m.CameraPage));

/** The page at `path` for this role, or undefined when the path is not one of these. */
export function setupPage(path: string, role: Role): JSX.Element | undefined {
  if (path !== "/cameras" && !path.startsWith("/cameras/")) return undefined;
  if (!roleIncludes(role, "admin")) return <p role="alert">This page needs the admin role.</p>;
  return path === "/cameras" ? <CamerasPage /> : <CameraPage id={decodeURIComponent(path.slice("/cameras/".length))} />;
}

export function setupLinks(role: Role): ReadonlyArray<readonly [string, string]> {
  return roleIncludes(role, "admin") ? [["/cameras", "Cameras"]] : [];
}
