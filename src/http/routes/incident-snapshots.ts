import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { IncidentService } from "../../incidents/incident-service.js";
import type { SnapshotStore } from "../../incidents/snapshot-store.js";
import { role } from "../route-access.js";

const Params = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" }),
  n: Type.Integer({ minimum: 0, maximum: 999 }),
});

/**
 * `GET /v1/incidents/:id/snapshots/:n` (viewer): the n-th scene JPEG of an incident (0-based, in
 * the order of its `snapshots`), what the console draws the boxes and zone over.
 */
export function registerIncidentSnapshotRoute(
  app: FastifyInstance,
  deps: { incidents: IncidentService; snapshots: SnapshotStore },
): void {
  app.get<{ Params: { id: string; n: number } }>(
    "/v1/incidents/:id/snapshots/:n",
    { config: { access: role("viewer") }, schema: { params: Params, produces: ["image/jpeg"] } },
    async (request, reply) => {
      const incident = await deps.incidents.get(request.params.id);
      if (!incident) throw new VigilError(ErrorCodes.NOT_FOUND, `no incident ${request.params.id}`);
      const ref = incident.snapshots?.[request.params.n];
      const jpeg = ref ? await deps.snapshots.read(ref.file) : undefined;
      if (!jpeg)
        throw new VigilError(
          ErrorCodes.SNAPSHOT_UNAVAILABLE,
          `incident ${incident.id} has no snapshot ${request.params.n}`,
        );
      return reply.type("image/jpeg").send(jpeg);
    },
  );
}
