import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ZoneRuleSchema } from "../../config/rules-schema.js";
import type { ZoneRuleConfig } from "../../config/schema.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { CameraRegistry } from "../../ingest/camera-registry.js";
import { role, userOf } from "../route-access.js";

const Params = Type.Object({ id: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });
/** The config's `rules.zones` entries, by the config's own schema: what is pasted is what is stored. */
const RulesBody = Type.Object({ rules: Type.Array(ZoneRuleSchema, { maxItems: 64 }) }, { additionalProperties: false });
const RulesView = Type.Object({
  camera: Type.String(),
  origin: Type.Union([Type.Literal("config"), Type.Literal("runtime")]),
  rules: Type.Array(ZoneRuleSchema),
});

export interface CameraRuleRouteDeps {
  readonly registry: Pick<CameraRegistry, "get" | "setRules">;
  /** The config file's `rules.zones`. */
  readonly configRules: () => readonly ZoneRuleConfig[];
}

/**
 * `GET /v1/cameras/:id/rules` (viewer) and `PUT /v1/cameras/:id/rules` (admin): a camera's zone
 * rules. A runtime camera's are stored with it, audited (camera.rules) and applied at once without
 * restarting any stream; a config camera's are read-only here (409 VIGIL_E_CAMERA_PROVISIONED).
 * Zones themselves are camera fields (`PATCH /v1/cameras/:id` with `zones`).
 */
export function registerCameraRuleRoutes(app: FastifyInstance, deps: CameraRuleRouteDeps): void {
  const view = (id: string) => {
    const c = deps.registry.get(id);
    if (!c) throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${id}`);
    const rules = c.origin === "config" ? deps.configRules().filter((r) => r.camera === id) : (c.rules ?? []);
    return { camera: id, origin: c.origin, rules: [...rules] };
  };
  app.get<{ Params: { id: string } }>(
    "/v1/cameras/:id/rules",
    { config: { access: role("viewer") }, schema: { params: Params, response: { 200: RulesView } } },
    async (request) => view(request.params.id),
  );
  app.put<{ Params: { id: string }; Body: { rules: ZoneRuleConfig[] } }>(
    "/v1/cameras/:id/rules",
    { config: { access: role("admin") }, schema: { params: Params, body: RulesBody, response: { 200: RulesView } } },
    async (request) => {
      await deps.registry.setRules(request.params.id, request.body.rules, {
        actor: userOf(request).username,
        source: request.ip,
      });
      return view(request.params.id);
    },
  );
}
