import Mpeg1Muxer from "node-rtsp-stream/mpeg1muxer.js";
import type { WebSocket } from "ws";
import { type Logger, redactUrlCredentials } from "../core/logger.js";
import { RingBuffer } from "../core/ring-buffer.js";
import { jsmpegHeader, LiveViewClose } from "./live-view-args.js";

export interface LiveRelayOptions {
  readonly cameraId: string;
  /** The URL and flags for Mpeg1Muxer, read when the relay starts (credentials may have rotated). */
  readonly source: () => Promise<{
    url: string;
    ffmpegOptions: Record<string, string>;
    size: { width: number; height: number };
  }>;
  readonly idleStopMs: number;
  readonly log: Logger;
}

const KILL_GRACE_MS = 3000;
/** A viewer this far behind is skipped until it catches up: one slow phone must not hold the others' memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One camera's live relay: node-rtsp-stream's Mpeg1Muxer (one ffmpeg re-encoding the camera to
 * MPEG-1 in MPEG-TS) shared by every viewer of the camera. Started by the first viewer; stopped
 * `idleStopMs` after the last one left, so a viewer who reloads the page finds it running.
 */
export class LiveRelay {
  private readonly viewers = new Set<WebSocket>();
  private muxer: Mpeg1Muxer | undefined;
  private exited: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private header: Buffer = jsmpegHeader({ width: 0, height: 0 });
  private starting: Promise<void> | undefined;
  private readonly stderr = new RingBuffer<string>(10);

  constructor(private readonly options: LiveRelayOptions) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** The relay's ffmpeg, while it runs. */
  get pid(): number | undefined {
    const p = this.muxer?.stream;
    return p && p.exitCode === null && p.signalCode === null ? p.pid : undefined;
  }

  async join(ws: WebSocket): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.viewers.add(ws);
    ws.once("close", () => this.leave(ws));
    if (!this.muxer) {
      this.starting ??= this.launch().finally(() => (this.starting = undefined));
      await this.starting;
    }
    if (ws.readyState === ws.OPEN) ws.send(this.header);
  }

  private leave(ws: WebSocket): void {
    if (!this.viewers.delete(ws) || this.viewers.size > 0) return;
    this.idleTimer = setTimeout(() => void this.stop(), this.options.idleStopMs);
    this.idleTimer.unref();
  }

  private async launch(): Promise<void> {
    const source = await this.options.source();
    this.header = jsmpegHeader(source.size);
    const muxer = new Mpeg1Muxer({ url: source.url, ffmpegPath: "ffmpeg", ffmpegOptions: source.ffmpegOptions });
    this.muxer = muxer;
    const log = this.options.log;
    log.info({ camera: this.options.cameraId, pid: muxer.stream.pid }, "live view relay started");
    muxer.on("mpeg1data", (data) => this.broadcast(data));
    muxer.on("ffmpegStderr", (data) => {
      for (const line of data.toString("utf8").split(/\r?\n/))
        if (line.trim().length > 0) this.stderr.push(redactUrlCredentials(line));
    });
    this.exited = new Promise((resolve) => {
      muxer.stream.once("exit", (code, signal) => {
        log.info(
          { camera: this.options.cameraId, code, signal, stderr: this.stderr.toArray() },
          "live view relay stopped",
        );
        // Still the current relay: ffmpeg ended on its own (the camera went away), and the viewers
        // are told rather than left waiting. A relay being stopped was already replaced.
        if (this.muxer === muxer) {
          this.muxer = undefined;
          for (const ws of this.viewers)
            ws.close(LiveViewClose.RELAY_ENDED, "VIGIL_E_LIVE_VIEW_UNAVAILABLE: the relay ended");
        }
        resolve();
      });
    });
  }

  private broadcast(data: Buffer): void {
    for (const ws of this.viewers) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED_BYTES) ws.send(data);
    }
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL) and closes any viewer still there. */
  async stop(
    closeCode: number = LiveViewClose.UNAVAILABLE,
    reason = "VIGIL_E_LIVE_VIEW_UNAVAILABLE: live view stopped",
  ): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await this.starting?.catch(() => undefined);
    for (const ws of this.viewers) ws.close(closeCode, reason);
    const running = this.pid !== undefined ? this.muxer?.stream : undefined;
    const exited = this.exited;
    // Forgotten before it is gone, so a viewer arriving now starts a fresh relay.
    this.muxer = undefined;
    if (!running) return;
    running.kill("SIGTERM");
    const kill = setTimeout(() => running.kill("SIGKILL"), KILL_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }
}
