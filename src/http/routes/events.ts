import type { FastifyInstance } from "fastify";
import { roleIncludes } from "../../contract/roles.js";
import type { FeedEvent, IncidentFeed } from "../../incidents/incident-feed.js";
import { role, userOf } from "../route-access.js";

export interface EventsRouteOptions {
  readonly feed: IncidentFeed;
  /** A comment line this often keeps proxies and the browser from timing the stream out. */
  readonly heartbeatMs?: number;
  /** Sessions ended (logout, revocation, disable, password change): their streams end at once. */
  readonly onSessionsEnded?: (listener: (sessionIds: readonly string[]) => void) => () => void;
}

function frame(e: Pick<FeedEvent, "id" | "type"> & { data: unknown }): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/**
 * `GET /v1/events` (viewer): incident changes as server-sent events, each to the roles it is for.
 * `Last-Event-ID` resumes after a disconnect (or gets `event: reset`: reload the list). The stream
 * ends when the access token that opened it expires (the client reconnects with a fresh one), and
 * at once when its session ends, so a logged-out or revoked session hears nothing more.
 */
export function registerEventsRoute(app: FastifyInstance, options: EventsRouteOptions): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Map<() => void, string>();
  const unlisten = options.onSessionsEnded?.((ids) => {
    const ended = new Set(ids);
    for (const [end, session] of [...open]) if (ended.has(session)) end();
  });
  // Streams never finish by themselves: end them before the server waits for its connections.
  app.addHook("preClose", async () => {
    unlisten?.();
    for (const end of [...open.keys()]) end();
  });
  app.get(
    "/v1/events",
    {
      config: { access: role("viewer") },
      schema: {
        produces: ["text/event-stream"],
        description:
          "Server-sent events: `incident.created`, `incident.updated` (viewer), `approval.requested` (supervisor); `reset` when `Last-Event-ID` cannot be resumed.",
      },
    },
    (request, reply) => {
      const me = userOf(request);
      const lastId = request.headers["last-event-id"];
      const backlog = options.feed.since(typeof lastId === "string" ? lastId : undefined);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        connection: "keep-alive",
      });
      out.write("retry: 2000\n\n");
      const send = (e: FeedEvent): void => {
        if (roleIncludes(me.role, e.minRole)) out.write(frame(e));
      };
      if (backlog === "reset") out.write("event: reset\ndata: {}\n\n");
      else backlog.forEach(send);
      const unsubscribe = options.feed.subscribe(send);
      const heartbeat = setInterval(() => out.write(": ping\n\n"), heartbeatMs);
      const expiry = setTimeout(() => end(), Math.max(0, me.tokenExpiresAt * 1000 - Date.now()));
      const end = (): void => {
        open.delete(end);
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(expiry);
        if (!out.writableEnded) out.end();
      };
      open.set(end, me.sessionId);
      out.once("close", end);
    },
  );
}
