import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { EvidenceExporter } from "../../incidents/evidence/exporter.js";
import { role, userOf } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" }) });

/**
 * `POST /v1/incidents/:id/export`: the signed evidence pack as a ZIP. A POST, not a GET: each
 * export is an audited act, and no cache or prefetch should perform (or keep) one.
 */
export function registerEvidenceRoutes(app: FastifyInstance, deps: { evidence: EvidenceExporter }): void {
  app.post<{ Params: { id: string } }>(
    "/v1/incidents/:id/export",
    { config: { access: role("operator"), limit: EXPENSIVE.evidenceExport }, schema: { params: IdParams } },
    async (request, reply) => {
      const pack = await deps.evidence.export(request.params.id, userOf(request).username, request.ip);
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="${pack.filename}"`)
        .header("cache-control", "no-store")
        .send(Buffer.from(pack.zip.buffer, pack.zip.byteOffset, pack.zip.byteLength));
    },
  );
}
