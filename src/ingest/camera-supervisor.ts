import type { CameraConfig } from "../config/schema.js";
import type { Frame } from "../contract/detection.js";
import type { CameraStateName } from "../contract/events.js";
import { Backoff, type BackoffPolicy } from "../core/backoff.js";
import { redactUrlCredentials, type Logger } from "../core/logger.js";
import { RingBuffer } from "../core/ring-buffer.js";
import { cameraArgv } from "./camera-argv.js";
import { parseSourceSize, type RecordingOutput, redactArgv } from "./ffmpeg-args.js";
import { describeFfmpegExit, type FailureKind, type FfmpegFailure } from "./ffmpeg-failure.js";
import { FfmpegProcess } from "./ffmpeg-process.js";
import { SizedFrameStream } from "./sized-frame-stream.js";
import { JpegStreamSplitter } from "./jpeg-stream.js";

export type CameraState = CameraStateName;

export interface CameraStats {
  readonly state: CameraState;
  readonly framesDecoded: number;
  readonly restarts: number;
  readonly stalls: number;
  readonly lastFrameAt: string | undefined;
  readonly source: { width: number; height: number } | undefined;
  /** The detection frames' size: the working resolution ffmpeg shrinks the source to. */
  readonly working?: { width: number; height: number } | undefined;
  readonly lastError: string | undefined;
  /** What the last failure was (unauthorized, unreachable, no_video, ...), for a tech and for tests. */
  readonly lastErrorKind?: FailureKind | undefined;
  /** JPEG snapshots received from the camera's ffmpeg. */
  readonly snapshots?: number;
}

export interface CameraSupervisorOptions {
  readonly camera: CameraConfig;
  readonly stallTimeoutMs: number;
  /** RTSP setup, probing and the first key frame take seconds; a stall is judged only after that. */
  readonly startTimeoutMs: number;
  readonly socketTimeoutS: number;
  /** Reads `user:password` for the camera; called on every (re)start so rotated secrets apply. */
  readonly readCredentials: () => Promise<string | undefined>;
  readonly onFrame: (frame: Frame) => void;
  /** Receives the main stream's JPEG snapshots; without it ffmpeg encodes none. */
  readonly onSnapshot?: ((cameraId: string, jpeg: Buffer, capturedAt: number) => void) | undefined;
  readonly onStateChange?: (cameraId: string, state: CameraState) => void;
  /** Asked at every (re)start: where this run records its ring segments; undefined records none. */
  readonly recording?: ((cameraId: string) => Promise<RecordingOutput | undefined>) | undefined;
  readonly backoff?: BackoffPolicy;
  readonly log: Logger;
}

const KILL_GRACE_MS = 3000;
/** Failed starts in a row after which the camera is reported offline (it keeps retrying). */
const OFFLINE_AFTER_FAILURES = 3;

/**
 * Keeps one camera's ffmpeg alive: restarts it with jittered backoff when it exits, and kills it
 * when frames stop arriving (ffmpeg can hang on a half-open RTSP session without exiting). A
 * generation counter makes events from an old process harmless once a newer one runs.
 */
export class CameraSupervisor {
  private stateValue: CameraState = "starting";
  private generation = 0;
  private process: FfmpegProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly stderr = new RingBuffer<string>(30);
  private readonly backoff: Backoff;
  private failuresInRow = 0;
  private framesDecoded = 0;
  private restarts = 0;
  private stalls = 0;
  private lastFrameAt: number | undefined;
  private launchedAt = 0;
  private source: { width: number; height: number } | undefined;
  private working: { width: number; height: number } | undefined;
  private lastError: string | undefined;
  private lastErrorKind: FailureKind | undefined;
  private snapshots = 0;
  /** Set when the watchdog kills ffmpeg: the exit's real cause, which ffmpeg's log cannot tell. */
  private killReason: FfmpegFailure | undefined;
  private everOnline = false;

  constructor(private readonly options: CameraSupervisorOptions) {
    this.backoff = new Backoff(options.backoff, 60_000);
  }

  get id(): string {
    return this.options.camera.id;
  }

  get state(): CameraState {
    return this.stateValue;
  }

  /** True once the camera delivered a frame at least once since the daemon started. */
  get startedOnce(): boolean {
    return this.everOnline;
  }

  get stats(): CameraStats {
    return {
      state: this.stateValue,
      framesDecoded: this.framesDecoded,
      restarts: this.restarts,
      stalls: this.stalls,
      lastFrameAt: this.lastFrameAt === undefined ? undefined : new Date(this.lastFrameAt).toISOString(),
      source: this.source,
      working: this.working,
      lastError: this.lastError,
      lastErrorKind: this.lastErrorKind,
      snapshots: this.snapshots,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A push-only camera (no url) has no stream to read: like a disabled one, it runs no ffmpeg
    // and is no outage; its frames arrive on POST /v1/ingest/:cameraId/frames.
    if (!this.options.camera.enabled || this.options.camera.url === undefined) {
      this.setState("disabled");
      return;
    }
    // Listeners learn of the camera from its first state, not only from its first change.
    this.options.onStateChange?.(this.id, this.stateValue);
    this.watchdog = setInterval(() => this.checkStall(), Math.min(1000, this.options.stallTimeoutMs / 2));
    this.watchdog.unref();
    void this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    this.generation += 1;
    this.killCurrent();
    await this.exited;
  }

  /**
   * Restarts ffmpeg on purpose (the recording ring stopped or resumed, so the argv changes); the
   * exit goes through the usual path and is counted as a restart, with `reason` as its cause.
   */
  relaunch(reason: string): void {
    if (this.stopped || !this.process) return;
    this.killReason = { kind: "ended", message: reason };
    this.killCurrent();
  }

  private setState(state: CameraState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.options.log.info({ camera: this.id, state }, "camera state");
    this.options.onStateChange?.(this.id, state);
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    this.setState("starting");
    this.stderr.clear();
    this.source = undefined;
    this.killReason = undefined;
    let credentials: string | undefined;
    let recording: RecordingOutput | undefined;
    try {
      credentials = await this.options.readCredentials();
      // A ring that cannot be prepared (disk) costs the clips, never the camera.
      recording = await this.options.recording?.(this.options.camera.id).catch((err: unknown) => {
        this.options.log.warn(
          { camera: this.options.camera.id, err },
          "recording ring unavailable; this run records nothing",
        );
        return undefined;
      });
    } catch (err) {
      this.onExit(generation, { kind: "failed", message: `cannot read credentials: ${(err as Error).message}` });
      return;
    }
    if (generation !== this.generation || this.stopped) return;
    const { camera } = this.options;
    const argv = cameraArgv(camera, credentials, {
      socketTimeoutS: this.options.socketTimeoutS,
      snapshots: this.options.onSnapshot !== undefined,
      recording,
    });
    let index = 0;
    // The frame size is ffmpeg's to say (the working size of a source it has not seen yet): the
    // pipe is held until its banner names the output size, which it prints before any frame.
    const frames = new SizedFrameStream((size, rgb) => {
      if (generation !== this.generation) return;
      this.onFrameArrived();
      this.options.onFrame({
        cameraId: camera.id,
        index: index++,
        capturedAt: Date.now(),
        width: size.width,
        height: size.height,
        rgb,
        source: this.source,
      });
    });
    const onSnapshot = this.options.onSnapshot;
    const splitter = onSnapshot
      ? new JpegStreamSplitter((jpeg) => {
          if (generation !== this.generation) return;
          this.snapshots += 1;
          onSnapshot(camera.id, jpeg, Date.now());
        })
      : undefined;
    // Stream lines after "Output #0" describe our own outputs, not the camera.
    let inputSection = true;
    const child = new FfmpegProcess(argv, {
      onFrames: (chunk) => frames.push(chunk),
      ...(splitter ? { onSnapshots: (chunk: Buffer) => splitter.push(chunk) } : {}),
      onStderrLine: (line) => {
        this.stderr.push(redactUrlCredentials(line));
        if (line.startsWith("Output #0")) inputSection = false;
        else if (inputSection) this.source ??= parseSourceSize(line);
        else if (!frames.size) {
          const size = parseSourceSize(line);
          if (size) {
            frames.setSize(size);
            this.working = size;
          }
        }
      },
      onExit: (code, signal, spawnError) => {
        const failure =
          this.killReason ??
          (spawnError
            ? { kind: "failed" as const, message: `ffmpeg could not be started: ${spawnError.message}` }
            : describeFfmpegExit(this.stderr.toArray(), code, signal, {
                ranMs: Date.now() - this.launchedAt,
                socketTimeoutMs: this.options.socketTimeoutS * 1000,
              }));
        this.onExit(generation, { kind: failure.kind, message: redactUrlCredentials(failure.message) });
      },
    });
    this.process = child;
    this.exited = child.exited;
    this.launchedAt = Date.now();
    this.options.log.debug({ camera: camera.id, argv: redactArgv(argv).join(" ") }, "ffmpeg starting");
    child.start();
  }

  private onFrameArrived(): void {
    this.framesDecoded += 1;
    this.lastFrameAt = Date.now();
    if (this.stateValue !== "online") {
      this.failuresInRow = 0;
      this.everOnline = true;
      this.backoff.markUp();
      this.setState("online");
    }
  }

  private checkStall(): void {
    if (this.stopped || (this.stateValue !== "online" && this.stateValue !== "starting")) return;
    const gotFrame = this.lastFrameAt !== undefined && this.lastFrameAt >= this.launchedAt;
    const since = gotFrame ? (this.lastFrameAt as number) : this.launchedAt;
    if (Date.now() - since < (gotFrame ? this.options.stallTimeoutMs : this.options.startTimeoutMs)) return;
    this.killReason = gotFrame
      ? { kind: "timeout", message: `no frame for ${this.options.stallTimeoutMs / 1000} s: stalled, ffmpeg restarted` }
      : {
          kind: "timeout",
          message: `no first frame within ${this.options.startTimeoutMs / 1000} s of start, ffmpeg restarted`,
        };
    if (gotFrame) {
      this.stalls += 1;
      this.setState("stalled");
      this.options.log.warn({ camera: this.id, stderr: this.stderr.toArray() }, "camera stalled; restarting ffmpeg");
    } else {
      // Never delivered a frame: a failed start, which counts towards "offline".
      this.options.log.warn(
        { camera: this.id, stderr: this.stderr.toArray() },
        "camera delivered no frame after start; restarting ffmpeg",
      );
    }
    this.killCurrent();
  }

  private killCurrent(): void {
    const child = this.process;
    this.process = undefined;
    if (!child) return;
    child.kill("SIGTERM");
    const escalate = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    escalate.unref();
    void this.exited.then(() => clearTimeout(escalate));
  }

  private onExit(generation: number, failure: FfmpegFailure): void {
    if (generation !== this.generation || this.stopped) return;
    this.process = undefined;
    const reason = failure.message;
    this.lastError = reason;
    this.lastErrorKind = failure.kind;
    this.backoff.markDown();
    if (this.stateValue !== "online" && this.stateValue !== "stalled") this.failuresInRow += 1;
    const delay = this.backoff.next();
    this.restarts += 1;
    this.options.log.warn(
      { camera: this.id, reason, restartInMs: delay, stderr: this.stderr.toArray() },
      "camera ffmpeg exited",
    );
    this.setState(this.failuresInRow >= OFFLINE_AFTER_FAILURES ? "offline" : "backoff");
    this.restartTimer = setTimeout(() => void this.launch(), delay);
    this.restartTimer.unref();
  }
}
