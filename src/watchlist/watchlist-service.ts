import { SerialQueue } from "../core/serial-queue.js";
import { randomBytes } from "node:crypto";
import { Value } from "@sinclair/typebox/value";
import type { AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { alignFace } from "../inference/faces/face-align.js";
import { faceWidthPx, toImagePixels } from "../inference/faces/face-geometry.js";
import type { Embedder } from "../inference/faces/face-recogniser.js";
import type { PersonRecord } from "./person-record.js";
import { facesInPhoto, type FaceFinder } from "./photo-faces.js";
import { type EnrollArgs, EnrollArgsSchema } from "./watchlist-schemas.js";
import type { WatchlistStatus, WatchlistStore } from "./watchlist-store.js";

export interface WatchlistServiceDeps {
  readonly store: WatchlistStore;
  readonly audit: AuditRecorder;
  readonly finder: FaceFinder;
  readonly embedder: Embedder;
  /** Whether the detector and embedder are loaded; enrolment is refused until they are. */
  readonly ready: () => boolean;
  readonly maxPhotos: number;
  /** Told after a deletion is durable and audited, so live recognition state drops the person too. */
  readonly onDeleted?: (personId: string) => void;
  /** Faces narrower than this (pixels of the photo, at most 1280 on its longer side) are refused. */
  readonly minFacePx?: number;
  readonly now?: () => number;
}

/** Who asks: the audit actor (username, `cli:<user>`, `central:<command id>`) and address. */
/** `POST /v1/watchlist/face-preview`: what enrolment would see in a photo. */
export interface FacePreview {
  readonly width: number;
  readonly height: number;
  readonly faces: ReadonlyArray<{
    readonly box: [number, number, number, number];
    readonly score: number;
    readonly face_px: number;
  }>;
}

export interface WatchlistActor {
  readonly actor: string;
  readonly source?: string | undefined;
}

export interface EnrolledPerson {
  readonly person: PersonRecord;
  /** Per photo: the detector's score for its one face, and its width in pixels. */
  readonly photos: ReadonlyArray<{ readonly index: number; readonly score: number; readonly face_px: number }>;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function newPersonId(): string {
  // 16 characters from 36: about 82 bits, drawn without modulo bias (252 = 7 * 36).
  let id = "";
  while (id.length < 16) for (const b of randomBytes(32)) if (b < 252 && id.length < 16) id += ID_ALPHABET[b % 36];
  return `wl_${id}`;
}

/**
 * Enrolling, listing and deleting watchlist persons: the one path for HTTP, admin socket and MQTT.
 * A change is durable, then audited, before it is reported done; an enrolment that cannot be
 * audited is taken back. Audit entries name the person by id only, so deleting a person leaves
 * no name behind in the (append-only) audit chain. Enrolments run one at a time: each spawns
 * ffmpeg and runs two models per photo.
 */
export class WatchlistService {
  private readonly now: () => number;
  private readonly enrolments = new SerialQueue();

  constructor(private readonly deps: WatchlistServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  get status(): WatchlistStatus {
    return this.deps.store.status;
  }

  list(): PersonRecord[] {
    return this.deps.store.list();
  }

  async enroll(input: EnrollArgs, by: WatchlistActor): Promise<EnrolledPerson> {
    const first = Value.Errors(EnrollArgsSchema, input).First();
    if (first)
      throw new VigilError(ErrorCodes.VALIDATION, `${first.path || "/"}: ${first.message}`, {
        details: { field: first.path || "/" },
      });
    if (input.photos.length > this.deps.maxPhotos)
      throw new VigilError(ErrorCodes.VALIDATION, `/photos: at most ${this.deps.maxPhotos} photos per enrolment`, {
        details: { field: "/photos" },
      });
    this.deps.store.ensureAvailable();
    if (!this.deps.ready())
      throw new VigilError(ErrorCodes.WATCHLIST_UNAVAILABLE, "the face models are not loaded yet");
    return this.enrolments.run(() => this.enrollNow(input, by));
  }

  /**
   * The faces enrolment would find in one photo (boxes relative to the photo, with scores), so a
   * supervisor sees which face will be taken before enrolling. Nothing is stored or audited.
   */
  async preview(photoBase64: string): Promise<FacePreview> {
    if (!this.deps.ready())
      throw new VigilError(ErrorCodes.WATCHLIST_UNAVAILABLE, "the face models are not loaded yet");
    const found = await facesInPhoto(Buffer.from(photoBase64, "base64"), this.deps.finder, "/photo");
    const r4 = (n: number): number => Math.round(n * 10_000) / 10_000;
    return {
      width: found.image.width,
      height: found.image.height,
      faces: found.faces.map((f) => ({
        box: [r4(f.box.x1), r4(f.box.y1), r4(f.box.x2), r4(f.box.y2)],
        score: Math.round(f.score * 1000) / 1000,
        face_px: Math.round(faceWidthPx(f, found.placement)),
      })),
    };
  }

  async delete(id: string, by: WatchlistActor): Promise<{ deleted: PersonRecord }> {
    this.deps.store.ensureAvailable();
    const deleted = await this.deps.store.remove(id);
    await this.deps.audit.record({
      actor: by.actor,
      source: by.source,
      action: "watchlist.deleted",
      target: `watchlist:${id}`,
      result: "ok",
      details: { embeddings: deleted.embeddings },
    });
    this.deps.onDeleted?.(id);
    return { deleted };
  }

  private async enrollNow(input: EnrollArgs, by: WatchlistActor): Promise<EnrolledPerson> {
    const embeddings: Float32Array[] = [];
    const photos: Array<{ index: number; score: number; face_px: number }> = [];
    for (const [index, b64] of input.photos.entries()) {
      const field = `/photos/${index}`;
      const found = await facesInPhoto(Buffer.from(b64, "base64"), this.deps.finder, field);
      if (found.faces.length === 0)
        throw new VigilError(ErrorCodes.FACE_NOT_FOUND, `${field}: no face found in photo ${index}`, {
          details: { field, photo: index },
        });
      if (found.faces.length > 1) {
        throw new VigilError(
          ErrorCodes.FACE_MULTIPLE,
          `${field}: ${found.faces.length} faces in photo ${index}; enrol from photos showing only the person`,
          { details: { field, photo: index, faces: found.faces.length } },
        );
      }
      const face = found.faces[0];
      const keypoints = face?.keypoints;
      if (!face || !keypoints || keypoints.length < 4)
        throw new VigilError(ErrorCodes.FACE_NOT_FOUND, `${field}: the face in photo ${index} has no landmarks`, {
          details: { field, photo: index },
        });
      const facePx = faceWidthPx(face, found.placement);
      const minPx = this.deps.minFacePx ?? 40;
      if (facePx < minPx)
        throw new VigilError(
          ErrorCodes.FACE_TOO_SMALL,
          `${field}: the face in photo ${index} is ${Math.round(facePx)} px wide, at least ${minPx} are needed`,
          { details: { field, photo: index } },
        );
      const { crop } = alignFace(
        found.image,
        keypoints.slice(0, 4).map((p) => toImagePixels(p, found.placement)),
        this.deps.embedder.template,
      );
      embeddings.push(await this.deps.embedder.embed(crop));
      photos.push({ index, score: Math.round(face.score * 1000) / 1000, face_px: Math.round(facePx) });
    }
    const record: PersonRecord = {
      id: newPersonId(),
      name: input.name,
      threshold: input.threshold ?? null,
      notes: input.notes ?? null,
      created_by: by.actor,
      created_at: new Date(this.now()).toISOString(),
      model: this.deps.embedder.modelId,
      embeddings: embeddings.length,
    };
    await this.deps.store.insert(record, embeddings);
    try {
      await this.deps.audit.record({
        actor: by.actor,
        source: by.source,
        action: "watchlist.enrolled",
        target: `watchlist:${record.id}`,
        result: "ok",
        details: { embeddings: record.embeddings, model: record.model, threshold: record.threshold },
      });
    } catch (err) {
      await this.deps.store.remove(record.id).catch(() => undefined);
      throw err;
    }
    return { person: record, photos };
  }
}
