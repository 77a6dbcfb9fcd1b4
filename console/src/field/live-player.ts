// Loaded only by the live view (a dynamic import): jsmpeg and its decoder stay out of the first load.
import JSMpeg, { type JsmpegSource, type PlayerOptions } from "@cycjimmy/jsmpeg-player";
import type { LiveTicket } from "../api/field";

export type LiveStatus =
  | { kind: "connecting" }
  | { kind: "playing" }
  | { kind: "full"; message: string }
  | { kind: "reconnecting"; message: string }
  | { kind: "refused"; message: string };

interface LiveOptions extends PlayerOptions {
  ticket: () => Promise<LiveTicket>;
  onStatus: (s: LiveStatus) => void;
  hookOnEstablished?: () => void;
}

// Close codes of /v1/cameras/:id/live (docs/cameras.md).
const FULL = 4429;
const REFUSED = new Set([4401, 4403, 4404]);
const RETRY_MS = 2000;
const RETRY_FULL_MS = 10_000;

const isJsmpHeader = (data: ArrayBuffer): boolean =>
  data.byteLength === 8 && new TextDecoder().decode(new Uint8Array(data, 0, 4)) === "jsmp";

/**
 * A jsmpeg source that opens the live WebSocket with a fresh one-time ticket as a subprotocol each
 * time, never a token in the URL: jsmpeg's own WebSocket source would reuse a spent ticket when it
 * reconnects, and does not tell the page why a connection closed (viewer limit, refusal).
 */
class TicketSource implements JsmpegSource {
  streaming = true;
  established = false;
  completed = false;
  progress = 0;
  private destination: { write(data: ArrayBuffer): void } | undefined;
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    _url: string,
    private readonly options: LiveOptions,
  ) {}

  connect(destination: { write(data: ArrayBuffer): void }): void {
    this.destination = destination;
  }

  start(): void {
    this.open().catch(() =>
      this.retry(RETRY_MS, { kind: "reconnecting", message: "No ticket for the live view; trying again" }),
    );
  }

  resume(): void {}

  destroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    // Closing the socket is what frees the daemon's relay (it stops when its last viewer leaves).
    this.socket?.close(1000);
  }

  private async open(): Promise<void> {
    this.options.onStatus({ kind: "connecting" });
    const t = await this.options.ticket();
    if (this.stopped) return;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${window.location.host}${t.url}`, [...t.protocols]);
    this.socket = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => (this.progress = 1);
    ws.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
      // The relay opens with node-rtsp-stream's 8-byte "jsmp" header, which this jsmpeg does not
      // read: fed to its MPEG-TS demuxer it costs a resync, seconds of black on a slow stream.
      if (!this.established && isJsmpHeader(ev.data)) return;
      if (!this.established) {
        this.established = true;
        this.options.hookOnEstablished?.();
        this.options.onStatus({ kind: "playing" });
      }
      this.destination?.write(ev.data);
    };
    ws.onclose = (ev) => {
      this.established = false;
      if (this.stopped) return;
      const why = ev.reason.replace(/^VIGIL_E_[A-Z_]+: /, "");
      if (ev.code === FULL)
        this.retry(RETRY_FULL_MS, {
          kind: "full",
          message: `The viewer limit is reached: ${why}. Trying again in ${RETRY_FULL_MS / 1000} s.`,
        });
      else if (REFUSED.has(ev.code)) this.options.onStatus({ kind: "refused", message: why || "Live view refused" });
      else
        this.retry(RETRY_MS, {
          kind: "reconnecting",
          message: `Connection lost${why ? `: ${why}` : ""}; reconnecting`,
        });
    };
  }

  private retry(ms: number, status: LiveStatus): void {
    if (this.stopped) return;
    this.options.onStatus(status);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), ms);
  }
}

/**
 * Plays a camera's live view on `canvas`. The 2D canvas renderer and the JavaScript decoder keep
 * the CSP as it is (no `wasm-unsafe-eval`); the relay's MPEG-1 is small enough for them.
 */
export function playLive(
  canvas: HTMLCanvasElement,
  ticket: () => Promise<LiveTicket>,
  onStatus: (s: LiveStatus) => void,
): () => void {
  const options: LiveOptions = {
    canvas,
    source: TicketSource,
    audio: false,
    disableGl: true,
    disableWebAssembly: true,
    ticket,
    onStatus,
  };
  const player = new JSMpeg.Player("live", options);
  return () => player.destroy();
}
