import type { VigilConfig } from "../config/schema.js";
import { secretsSearchPath } from "../config/secrets.js";
import type { AuditRecorder } from "../contract/audit.js";
import type { FacesFact } from "../contract/faces.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { FrameDetector } from "../inference/detection-scheduler.js";
import { providerSpecs } from "../inference/providers/model-runner.js";
import { type AlertSink, providerAlerts } from "../inference/providers/provider-alerts.js";
import type { ProviderStatus } from "../inference/providers/provider-chain.js";
import { FaceDetector } from "../inference/face-detector.js";
import { FaceEmbedder } from "../inference/faces/face-embedder.js";
import { FaceDetectionStage } from "../inference/faces/face-stage.js";
import { ARCFACE_112 } from "../inference/faces/face-templates.js";
import { FaceRecogniser } from "../inference/faces/face-recogniser.js";
import { RecognisingDetector } from "../inference/faces/recognising-detector.js";
import { SharperFrames } from "../inference/faces/sharper-frame.js";
import { decodeJpegToWorkingSize } from "../ingest/jpeg-decoder.js";
import type { LatestFrames } from "../contract/latest-frames.js";
import { findModel, type Manifest, type ModelEntry } from "../inference/model-manifest.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { loadWatchlistKeyring } from "../watchlist/watchlist-key-file.js";
import { WatchlistService } from "../watchlist/watchlist-service.js";
import { WatchlistStore } from "../watchlist/watchlist-store.js";

export interface WatchlistParts {
  readonly store: WatchlistStore;
  readonly service: WatchlistService;
  /** Wraps the scheduler's detector so detected faces are recognised; identity when faces are off. */
  readonly wrapDetector: (detector: FrameDetector, snapshots: LatestFrames) => FrameDetector;
  /** Health reasons: the watchlist is configured on but cannot work. */
  readonly reasons: () => string[];
  /** The face models' providers (none while faces are off), for /v1/providers, health and metrics. */
  readonly providers: () => ProviderStatus[];
}

/**
 * The watchlist and face recognition. With `faces.enabled: false` the routes and ops still
 * exist and answer WATCHLIST_UNAVAILABLE saying so, and no model is loaded. Enrolment gets its
 * own detector session: the camera detector reuses one input buffer and is not reentrant.
 */
export function composeWatchlist(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  deps: {
    manifest: Manifest;
    database: Database;
    commits: GroupCommit;
    audit: AuditRecorder;
    emit: (fact: FacesFact) => void;
    onDeleted?: (personId: string) => void;
    /** Where the face models' provider alerts go (the outbox). */
    alert: AlertSink;
    env: NodeJS.ProcessEnv;
    log: Logger;
  },
): WatchlistParts {
  const { faces } = config;
  const log = deps.log.child({ component: "watchlist" });
  const keyring = faces.enabled
    ? () => loadWatchlistKeyring(secretsSearchPath(config.secrets_dir, deps.env))
    : async () => ({
        ok: false as const,
        code: ErrorCodes.WATCHLIST_UNAVAILABLE,
        reason: "face recognition is disabled (faces.enabled: false)",
      });
  const store = lifecycle.add(new WatchlistStore(deps.database, deps.commits, keyring, log));
  if (!faces.enabled) {
    const service = new WatchlistService({
      store,
      audit: deps.audit,
      finder: inert,
      embedder: { modelId: "none", template: ARCFACE_112, embed: async () => new Float32Array() },
      ready: () => false,
      maxPhotos: faces.enroll_max_photos,
    });
    return { store, service, wrapDetector: (d) => d, reasons: () => [], providers: () => [] };
  }
  const alerts = providerAlerts(deps.alert, log);
  // Added before the models so it stops after them: alerts raised while stopping still get queued.
  lifecycle.add({ name: "face-provider-alerts", start: async () => {}, stop: () => alerts.drain() });
  // The face models run on the detector's providers (a GPU box puts them on the GPU too), each in
  // its own worker threads: the embedder with up to two, the face detectors, small, with one.
  const runner = (model: ModelEntry, threads: number) => ({
    modelsDir: config.models_dir,
    model,
    providers: providerSpecs(config.detector.providers, threads),
    deadlineMs: config.detector.deadline_ms,
    onProviderChange: alerts.onChange,
  });
  const embeddingModel = findModel(deps.manifest, faces.embedding_model);
  const matchThreshold = matchThresholdFor(faces.match_threshold, embeddingModel);
  const embedder = lifecycle.add(
    new FaceEmbedder(
      runner(embeddingModel, Math.max(1, Math.min(config.detector.threads, 2))),
      log.child({ part: "embedder" }),
    ),
  );
  const faceModel = findModel(deps.manifest, faces.detector_model);
  const faceDetector = (part: string): FaceDetector =>
    lifecycle.add(
      new FaceDetector(
        {
          ...runner(faceModel, 1),
          scoreThreshold: faces.detector_score_threshold,
          iouThreshold: config.detector.iou_threshold,
        },
        log.child({ part }),
      ),
    );
  const finder = faceDetector("enrolment-detector");
  // The camera detector finds faces itself when it is a face model; otherwise a face model runs beside it.
  const mainFindsFaces = findModel(deps.manifest, config.detector.model).task === "face-detection";
  const frameFaces = mainFindsFaces ? undefined : faceDetector("frame-face-detector");
  const service = new WatchlistService({
    store,
    audit: deps.audit,
    finder,
    embedder,
    ready: () => embedder.loaded && finder.loaded,
    maxPhotos: faces.enroll_max_photos,
    onDeleted: deps.onDeleted,
  });
  const recogniser = new FaceRecogniser(embedder, () => store.gallery(), {
    matchThreshold,
    minFacePx: faces.min_face_px,
    maxFacesPerFrame: faces.max_faces_per_frame,
  });
  return {
    store,
    service,
    wrapDetector: (detector, snapshots) =>
      new RecognisingDetector(
        frameFaces
          ? new FaceDetectionStage(
              detector,
              frameFaces,
              {
                maxPeople: faces.max_faces_per_frame,
                minHeadPx: faces.min_face_px,
                sharper: new SharperFrames(snapshots, decodeRgb, SHARPER),
              },
              log.child({ part: "face-stage" }),
            )
          : detector,
        recogniser,
        deps.emit,
        { reportUnknown: faces.unknown_alert, active: () => embedder.loaded && store.status.available },
        log.child({ part: "recogniser" }),
      ),
    reasons: () => {
      const s = store.status;
      return s.available || s.reason === null ? [] : [s.reason];
    },
    providers: () => [...finder.providers(), ...(frameFaces?.providers() ?? []), ...embedder.providers()],
  };
}

/**
 * The similarity that makes a match: the config's when set, else the one measured for the
 * embedding model (its manifest entry), since scores of different models are not on one scale.
 * A model with neither (an imported one) needs the config set: there is no safe guess.
 */
export function matchThresholdFor(
  configured: number | undefined,
  model: Pick<ModelEntry, "id" | "match_threshold">,
): number {
  const threshold = configured ?? model.match_threshold;
  if (threshold !== undefined) return threshold;
  throw new VigilError(
    ErrorCodes.CONFIG_INVALID,
    `/faces/match_threshold: required with embedding model "${model.id}", whose manifest entry has no match_threshold (measure one on your own photos, docs/watchlist.md)`,
    {
      details: { path: "/faces/match_threshold" },
    },
  );
}

/**
 * Main-stream snapshots used for faces: within 700 ms of the analysed frame (a snapshot a second
 * is at most half a second from a 5 fps frame, plus the pipes' jitter), decoded to at most 1920.
 */
const SHARPER = { maxSkewMs: 700, maxSide: 1920 } as const;

const decodeRgb = async (jpeg: Buffer, bounds: { maxWidth: number; maxHeight: number }) => {
  const d = await decodeJpegToWorkingSize(jpeg, bounds);
  return { width: d.width, height: d.height, rgb: d.rgb };
};

/** Enrolment's detector while faces are off: never called, since `ready` is false. */
const inert = {
  inputWidth: 1,
  inputHeight: 1,
  detect: async () => ({ detections: [] }),
};
