import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyRequest } from "fastify";
import { type WebSocket, WebSocketServer } from "ws";
import type { CameraConfig } from "../config/schema.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, isVigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { UserPrincipal } from "../contract/principal.js";
import { type LiveViewSettings, LiveViewClose, liveViewCamera, liveViewFfmpegOptions, liveViewSize, liveViewToken, liveViewUrl } from "./live-view-args.js";
import { LiveRelay } from "./live-view-relay.js";

export interface LiveViewOptions extends LiveViewSettings {
  readonly enabled: boolean;
  readonly maxViewers: number;
  readonly idleStopMs: number;
  /** A camera's config and probed size, or undefined if there is no such camera. */
  readonly camera: (id: string) => { config: CameraConfig; size?: { width: number; height: number } | undefined } | undefined;
  readonly readCredentials: (file: string | undefined) => Promise<string | undefined>;
  /** The HTTP API's access-token check (UserAuthenticator.authenticate), for the viewer role. */
  readonly authenticate: (request: FastifyRequest, needed: "viewer") => Promise<UserPrincipal>;
  readonly audit: AuditRecorder;
  readonly log: Logger;
}

const ROUTE = "/v1/cameras/:id/live";

/**
 * Live view for field techs: `GET /v1/cameras/:id/live` upgraded to a WebSocket on the operator
 * listener itself (no extra port), carrying MPEG-1 in MPEG-TS for jsmpeg. node-rtsp-stream's
 * VideoStream always opens its own `ws` server on a port of its own, so only its Mpeg1Muxer is used,
 * behind a `ws` server in noServer mode. Browsers cannot set headers on a WebSocket, so the access
 * token comes as `?access_token=` or a `bearer.<token>` subprotocol, and is checked by the same
 * authenticator as every API request. Every refusal is a close code (4401, 4403, 4404, 4429, 4503)
 * with the VIGIL_E_ code as reason, which a browser can read, unlike a refused handshake's status.
 */
export class LiveView implements Component {
  readonly name = "live-view";
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has("vigil.live") ? "vigil.live" : false) });
  private readonly relays = new Map<string, LiveRelay>();
  private readonly attached = new Set<Server>();
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(request, socket, head);

  constructor(private readonly options: LiveViewOptions) {}

  /** Serves live view on an HTTP server (the operator listener, once it listens). */
  attach(server: Server): void {
    server.on("upgrade", this.onUpgrade);
    this.attached.add(server);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const server of this.attached) server.off("upgrade", this.onUpgrade);
    this.attached.clear();
    await Promise.all([...this.relays.values()].map((r) => r.stop(1001, "VIGIL_E_SHUTTING_DOWN: the daemon is stopping")));
    this.relays.clear();
    this.wss.close();
  }

  /** Ends the relays of cameras that were removed or changed (new URL or credentials); their viewers reconnect. */
  async release(cameraIds: readonly string[]): Promise<void> {
    await Promise.all(
      cameraIds.map(async (id) => {
        const relay = this.relays.get(id);
        this.relays.delete(id);
        await relay?.stop(LiveViewClose.RELAY_ENDED, "VIGIL_E_LIVE_VIEW_UNAVAILABLE: the camera changed or was removed");
      }),
    );
  }

  /** Each camera's relay ffmpeg pid and viewer count, for tests and health. */
  relayStats(id: string): { pid: number | undefined; viewers: number } {
    const relay = this.relays.get(id);
    return { pid: relay?.pid, viewers: relay?.viewerCount ?? 0 };
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const cameraId = liveViewCamera(request.url ?? "");
    if (cameraId === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.admit(ws, request, cameraId).catch((err: unknown) => {
        this.options.log.warn({ err, camera: cameraId }, "live view viewer refused");
        ws.close(LiveViewClose.UNAVAILABLE, "VIGIL_E_LIVE_VIEW_UNAVAILABLE: the relay could not start");
      });
    });
  }

  private async admit(ws: WebSocket, request: IncomingMessage, cameraId: string): Promise<void> {
    const user = await this.authenticate(request, cameraId);
    if (!user) {
      ws.close(LiveViewClose.UNAUTHENTICATED, "VIGIL_E_UNAUTHENTICATED: a valid access token is required");
      return;
    }
    if (user === "forbidden") {
      ws.close(LiveViewClose.FORBIDDEN, "VIGIL_E_FORBIDDEN: this needs the viewer role");
      return;
    }
    const camera = this.options.camera(cameraId);
    if (!camera) {
      ws.close(LiveViewClose.UNKNOWN_CAMERA, `VIGIL_E_CAMERA_UNKNOWN: no camera ${cameraId}`);
      return;
    }
    if (!this.options.enabled || !camera.config.enabled) {
      ws.close(LiveViewClose.UNAVAILABLE, `VIGIL_E_LIVE_VIEW_UNAVAILABLE: ${this.options.enabled ? "the camera is disabled" : "live view is off"}`);
      return;
    }
    const relay = this.relayFor(cameraId);
    if (relay.viewerCount >= this.options.maxViewers) {
      ws.close(LiveViewClose.FULL, `VIGIL_E_LIVE_VIEW_FULL: camera ${cameraId} has its ${this.options.maxViewers} viewers`);
      return;
    }
    // join() takes the slot before it awaits anything, so simultaneous viewers cannot overfill it.
    const joined = relay.join(ws);
    await this.options.audit.record({ actor: user.username, source: request.socket.remoteAddress, action: "camera.live_view", target: `camera:${cameraId}`, result: "ok" });
    await joined;
  }

  /** The viewer, `forbidden` for a valid token without the role, undefined for no or a bad token. */
  private async authenticate(request: IncomingMessage, cameraId: string): Promise<UserPrincipal | "forbidden" | undefined> {
    const token = liveViewToken(request.url ?? "", request.headers["sec-websocket-protocol"]);
    if (token === undefined) return undefined;
    // The HTTP API's own check, fed what it reads of a request: the header, the address, the route.
    const asRequest = { headers: { authorization: `Bearer ${token}` }, ip: request.socket.remoteAddress ?? "", method: "GET", url: `/v1/cameras/${cameraId}/live`, routeOptions: { url: ROUTE } };
    try {
      return await this.options.authenticate(asRequest as unknown as FastifyRequest, "viewer");
    } catch (err) {
      if (isVigilError(err, ErrorCodes.FORBIDDEN)) return "forbidden";
      if (isVigilError(err, ErrorCodes.UNAUTHENTICATED)) return undefined;
      throw err;
    }
  }

  private relayFor(cameraId: string): LiveRelay {
    let relay = this.relays.get(cameraId);
    if (!relay) {
      const o = this.options;
      relay = new LiveRelay({
        cameraId,
        idleStopMs: o.idleStopMs,
        log: o.log,
        source: async () => {
          const camera = o.camera(cameraId);
          if (!camera) throw new Error(`camera ${cameraId} is gone`);
          return { url: liveViewUrl(camera.config.url, await o.readCredentials(camera.config.credentials_file)), ffmpegOptions: liveViewFfmpegOptions(o), size: liveViewSize(camera.size, o.maxWidth) };
        },
      });
      this.relays.set(cameraId, relay);
    }
    return relay;
  }
}
