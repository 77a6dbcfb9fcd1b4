import { type Static, Type } from "@sinclair/typebox";
import type { AdminOps } from "../contract/admin.js";
import { CameraSchema } from "../config/schema.js";
import type { CameraRegistry } from "./camera-registry.js";
import { type AddCamera, AddCameraSchema, CameraPatchSchema, type RegisteredCamera } from "./camera-registry-rules.js";
import { registeredCameraView } from "./camera-registry-view.js";

const UpdateArgsSchema = Type.Object(
  { id: CameraSchema.properties.id, patch: CameraPatchSchema },
  { additionalProperties: false },
);
const IdArgsSchema = Type.Object({ id: CameraSchema.properties.id }, { additionalProperties: false });

/** A camera view with live state where the daemon runs; the registry's own view offline. */
export type CameraViews = () => ReadonlyArray<{ readonly id: string }>;

/**
 * `vigil camera add|list|set|remove`, run in the daemon (admin socket: the change applies at once)
 * or by the CLI against the store while no daemon runs (the next start picks it up).
 */
export function cameraAdminOps(registry: CameraRegistry, views?: CameraViews): AdminOps {
  const list = views ?? (() => registry.list().map((c) => ({ ...registeredCameraView(c), state: "not running" })));
  const viewOf = (c: RegisteredCamera): unknown => list().find((v) => v.id === c.camera.id) ?? registeredCameraView(c);
  return {
    "camera.add": {
      summary: "add a camera (probed unless probe is false); it starts at once when the daemon runs",
      args: AddCameraSchema,
      run: async (args: AddCamera, ctx) => {
        return { camera: viewOf(await registry.add(args, { actor: ctx.actor })) };
      },
    },
    "camera.update": {
      summary: "change a camera added at runtime (name, url, enabled, detect, credentials, ...)",
      args: UpdateArgsSchema,
      run: async (args: Static<typeof UpdateArgsSchema>, ctx) => {
        return { camera: viewOf(await registry.update(args.id, args.patch, { actor: ctx.actor })) };
      },
    },
    "camera.remove": {
      summary: "remove a camera added at runtime and revoke its API keys",
      args: IdArgsSchema,
      run: (args: Static<typeof IdArgsSchema>, ctx) =>
        registry
          .remove(args.id, { actor: ctx.actor })
          .then((r) => ({ removed: r.camera.id, revoked_keys: r.revoked_keys })),
    },
    "camera.list": {
      summary: "every camera, config and runtime, with state and stats when the daemon runs",
      args: Type.Object({}, { additionalProperties: false }),
      run: async () => ({ cameras: list() }),
    },
  };
}
