import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { LiveTickets } from "../../auth/live-tickets.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { role, userOf } from "../route-access.js";
import { LiveTicketResponse } from "./camera-responses.js";

const Params = Type.Object({ id: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });

/**
 * `POST /v1/cameras/:id/live-ticket` (viewer): a one-time ticket for `/v1/cameras/:id/live`, good
 * for `live_view.ticket_ttl_s`. The browser offers it as a `ticket.<ticket>` WebSocket subprotocol
 * (or `?ticket=`), so its access token never goes into a URL.
 */
export function registerLiveTicketRoute(
  app: FastifyInstance,
  deps: { tickets: LiveTickets; cameraExists: (id: string) => boolean },
): void {
  app.post<{ Params: { id: string } }>(
    "/v1/cameras/:id/live-ticket",
    { config: { access: role("viewer") }, schema: { params: Params, response: { 201: LiveTicketResponse } } },
    async (request, reply) => {
      if (!deps.cameraExists(request.params.id))
        throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${request.params.id}`);
      const issued = deps.tickets.issue(userOf(request), request.params.id);
      return reply.status(201).send({
        ...issued,
        url: `/v1/cameras/${request.params.id}/live`,
        protocols: ["vigil.live", `ticket.${issued.ticket}`],
      });
    },
  );
}
