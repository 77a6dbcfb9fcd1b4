import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import type { LiveTickets } from "../auth/live-tickets.js";
import type { UserPrincipal } from "../contract/principal.js";
import { ErrorCodes, isVigilError } from "../core/errors.js";
import { liveViewCredential } from "./live-view-args.js";

const ROUTE = "/v1/cameras/:id/live";

export interface LiveViewAuth {
  readonly tickets: LiveTickets;
  /** The HTTP API's access-token check (UserAuthenticator.authenticate), for the viewer role. */
  readonly authenticate: (request: FastifyRequest, needed: "viewer") => Promise<UserPrincipal>;
  /** Whether an admitted viewer still stands (UserAuthenticator.standing). */
  readonly standing: (principal: UserPrincipal, needed: "viewer") => "ok" | "unauthenticated" | "forbidden";
}

/**
 * The viewer of an upgrade: by one-time ticket (checked again against the session, which may have
 * ended since), or by a `bearer.` access token through the API's own check. `forbidden` for a
 * valid credential without the role, undefined for none or a bad one.
 */
export async function liveViewer(
  auth: LiveViewAuth,
  request: IncomingMessage,
  cameraId: string,
): Promise<UserPrincipal | "forbidden" | undefined> {
  const credential = liveViewCredential(request.url ?? "", request.headers["sec-websocket-protocol"]);
  if (credential === undefined) return undefined;
  if (credential.kind === "ticket") {
    const principal = auth.tickets.redeem(credential.value, cameraId);
    if (!principal) return undefined;
    const standing = auth.standing(principal, "viewer");
    return standing === "ok" ? principal : standing === "forbidden" ? "forbidden" : undefined;
  }
  // The HTTP API's own check, fed what it reads of a request: the header, the address, the route.
  const asRequest = {
    headers: { authorization: `Bearer ${credential.value}` },
    ip: request.socket.remoteAddress ?? "",
    method: "GET",
    url: `/v1/cameras/${cameraId}/live`,
    routeOptions: { url: ROUTE },
  };
  try {
    return await auth.authenticate(asRequest as unknown as FastifyRequest, "viewer");
  } catch (err) {
    if (isVigilError(err, ErrorCodes.FORBIDDEN)) return "forbidden";
    if (isVigilError(err, ErrorCodes.UNAUTHENTICATED)) return undefined;
    throw err;
  }
}
