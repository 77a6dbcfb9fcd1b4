import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { CameraConfig } from "../config/schema.js";
import type { AuditRecorder } from "../contract/audit.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import {
  type LiveViewSettings,
  LiveViewClose,
  liveViewCamera,
  liveViewFfmpegOptions,
  liveViewSize,
  liveViewUrl,
} from "./live-view-args.js";
import { LiveViewers, UpgradeGate } from "./live-view-gate.js";
import { type LiveViewAuth, liveViewer } from "./live-view-auth.js";
import { LiveRelay } from "./live-view-relay.js";

export interface LiveViewOptions extends LiveViewSettings {
  readonly enabled: boolean;
  readonly maxViewers: number;
  readonly idleStopMs: number;
  /** A camera's config and probed size, or undefined if there is no such camera. */
  readonly camera: (
    id: string,
  ) => { config: CameraConfig; size?: { width: number; height: number } | undefined } | undefined;
  readonly readCredentials: (file: string | undefined) => Promise<string | undefined>;
  readonly auth: LiveViewAuth;
  /** Subscribes to ended sessions (SessionStore.onEnded): their viewers are closed at once. */
  readonly onSessionsEnded: (listener: (sessionIds: readonly string[]) => void) => () => void;
  /** Every viewer's session is checked again this often as well (at most 60 s). */
  readonly recheckMs: number;
  /** WebSocket upgrades per source address (IPv6 per /64) a minute; more get 429. */
  readonly upgradesPerMinute: number;
  /** Browser origins besides the listener's own that may open live view. */
  readonly allowedOrigins: readonly string[];
  readonly audit: AuditRecorder;
  readonly log: Logger;
}

/** A viewer sends nothing but control frames; anything larger than this closes it (1009). */
export const LIVE_VIEW_MAX_PAYLOAD = 1024;

/**
 * Live view for field techs: `GET /v1/cameras/:id/live` upgraded to a WebSocket on the operator
 * listener itself (no extra port), carrying MPEG-1 in MPEG-TS for jsmpeg. node-rtsp-stream's
 * VideoStream always opens its own `ws` server on a port of its own, so only its Mpeg1Muxer is used,
 * behind a `ws` server in noServer mode. Browsers cannot set headers on a WebSocket, so a viewer
 * brings a one-time ticket (`POST /v1/cameras/:id/live-ticket`), or an API client a `bearer.<token>`
 * subprotocol. Before the upgrade: a per-address limit (429) and an Origin allowlist (403). After
 * it, every refusal is a close code (4401, 4403, 4404, 4429, 4503) with the VIGIL_E_ code as
 * reason, which a browser can read. A viewer's session is checked again when sessions end and
 * every `recheckMs`: logout, revocation, disable, a password change or a lower role closes it.
 */
export class LiveView implements Component {
  readonly name = "live-view";
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIVE_VIEW_MAX_PAYLOAD,
    handleProtocols: (offered) => (offered.has("vigil.live") ? "vigil.live" : false),
  });
  private readonly relays = new Map<string, LiveRelay>();
  private readonly attached = new Set<Server>();
  private readonly viewers: LiveViewers;
  private readonly gate: UpgradeGate;
  private recheckTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.upgrade(request, socket, head);

  constructor(private readonly options: LiveViewOptions) {
    this.viewers = new LiveViewers(options.auth.standing);
    this.gate = new UpgradeGate(options.upgradesPerMinute, options.allowedOrigins);
  }

  /** Serves live view on an HTTP server (the operator listener, once it listens). */
  attach(server: Server): void {
    server.on("upgrade", this.onUpgrade);
    this.attached.add(server);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.options.onSessionsEnded((ids) => this.recheck(new Set(ids)));
    this.recheckTimer = setInterval(() => this.recheck(), Math.min(this.options.recheckMs, 60_000));
    this.recheckTimer.unref();
  }

  /** Closes the viewers (of `sessions`, or all) whose session or role no longer holds. */
  recheck(sessions?: ReadonlySet<string>): void {
    this.viewers.recheck(sessions);
  }

  async stop(): Promise<void> {
    clearInterval(this.recheckTimer);
    this.unsubscribe?.();
    for (const server of this.attached) server.off("upgrade", this.onUpgrade);
    this.attached.clear();
    await Promise.all(
      [...this.relays.values()].map((r) => r.stop(1001, "VIGIL_E_SHUTTING_DOWN: the daemon is stopping")),
    );
    this.relays.clear();
    this.wss.close();
  }

  /** Ends the relays of cameras that were removed or changed (new URL or credentials); their viewers reconnect. */
  async release(cameraIds: readonly string[]): Promise<void> {
    await Promise.all(
      cameraIds.map(async (id) => {
        const relay = this.relays.get(id);
        this.relays.delete(id);
        await relay?.stop(
          LiveViewClose.RELAY_ENDED,
          "VIGIL_E_LIVE_VIEW_UNAVAILABLE: the camera changed or was removed",
        );
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
    const refusal = this.gate.refusal(request, Date.now());
    if (refusal !== undefined) {
      socket.end(refusal);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      // A frame over maxPayload (or any protocol error) closes the viewer; it must not throw.
      ws.on("error", (err) => this.options.log.debug({ err, camera: cameraId }, "live view viewer error"));
      this.admit(ws, request, cameraId).catch((err: unknown) => {
        this.options.log.warn({ err, camera: cameraId }, "live view viewer refused");
        ws.close(LiveViewClose.UNAVAILABLE, "VIGIL_E_LIVE_VIEW_UNAVAILABLE: the relay could not start");
      });
    });
  }

  private async admit(ws: WebSocket, request: IncomingMessage, cameraId: string): Promise<void> {
    const user = await liveViewer(this.options.auth, request, cameraId);
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
      ws.close(
        LiveViewClose.UNAVAILABLE,
        `VIGIL_E_LIVE_VIEW_UNAVAILABLE: ${this.options.enabled ? "the camera is disabled" : "live view is off"}`,
      );
      return;
    }
    const relay = this.relayFor(cameraId);
    if (relay.viewerCount >= this.options.maxViewers) {
      ws.close(
        LiveViewClose.FULL,
        `VIGIL_E_LIVE_VIEW_FULL: camera ${cameraId} has its ${this.options.maxViewers} viewers`,
      );
      return;
    }
    // join() takes the slot before it awaits anything, so simultaneous viewers cannot overfill it.
    const joined = relay.join(ws);
    this.viewers.add(ws, user);
    await this.options.audit.record({
      actor: user.username,
      source: request.socket.remoteAddress,
      action: "camera.live_view",
      target: `camera:${cameraId}`,
      result: "ok",
    });
    await joined;
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
          if (camera.config.url === undefined)
            throw new Error(`camera ${cameraId} only pushes JPEGs: no stream to view live`);
          return {
            url: liveViewUrl(camera.config.url, await o.readCredentials(camera.config.credentials_file)),
            ffmpegOptions: liveViewFfmpegOptions(o),
            size: liveViewSize(camera.size, o.maxWidth),
          };
        },
      });
      this.relays.set(cameraId, relay);
    }
    return relay;
  }
}
