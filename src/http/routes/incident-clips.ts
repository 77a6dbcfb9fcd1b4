import { createReadStream } from "node:fs";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { ClipStore } from "../../incidents/clips/clip-store.js";
import type { IncidentService } from "../../incidents/incident-service.js";
import { parseByteRange } from "../byte-range.js";
import { role } from "../route-access.js";

const Params = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" }),
  n: Type.Integer({ minimum: 0, maximum: 999 }),
});

/**
 * `GET /v1/incidents/:id/clips/:n` (viewer): the n-th clip of an incident as MP4, with HTTP
 * Range so a browser's <video> seeks without fetching the whole file. Only a file the incident
 * names is served (ClipStore checks its path), streamed from disk.
 */
export function registerIncidentClipRoute(
  app: FastifyInstance,
  deps: { incidents: IncidentService; clips: ClipStore },
): void {
  app.get<{ Params: { id: string; n: number } }>(
    "/v1/incidents/:id/clips/:n",
    { config: { access: role("viewer") }, schema: { params: Params, produces: ["video/mp4"] } },
    async (request, reply) => {
      const incident = await deps.incidents.get(request.params.id);
      if (!incident) throw new VigilError(ErrorCodes.NOT_FOUND, `no incident ${request.params.id}`);
      const ref = incident.clips?.[request.params.n];
      const path = ref ? deps.clips.absolute(ref.file) : undefined;
      const size = ref ? await deps.clips.size(ref.file) : undefined;
      if (!path || size === undefined)
        throw new VigilError(ErrorCodes.CLIP_UNAVAILABLE, `incident ${incident.id} has no clip ${request.params.n}`);
      const range = parseByteRange(request.headers.range, size);
      reply.header("accept-ranges", "bytes").header("cache-control", "private, no-store").type("video/mp4");
      if (range === "unsatisfiable") {
        reply.header("content-range", `bytes */${size}`);
        throw new VigilError(
          ErrorCodes.RANGE_NOT_SATISFIABLE,
          `range ${request.headers.range ?? ""} lies outside ${size} bytes`,
        );
      }
      if (!range) return reply.header("content-length", size).send(createReadStream(path));
      return reply
        .code(206)
        .header("content-range", `bytes ${range.start}-${range.end}/${size}`)
        .header("content-length", range.end - range.start + 1)
        .send(createReadStream(path, { start: range.start, end: range.end }));
    },
  );
}
