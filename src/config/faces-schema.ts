import { Type } from "@sinclair/typebox";

/** `faces`: face detection and recognition against the watchlist (off by default). */
export const FacesSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        "recognise detected faces against the watchlist (needs the embedding model and the watchlist_key secret)",
    }),
    embedding_model: Type.String({
      minLength: 1,
      default: "dlib-resnet-150",
      description: "manifest id of the face-embedding model",
    }),
    detector_model: Type.String({
      minLength: 1,
      default: "blazeface-back-256",
      description:
        "manifest id of the face-detection model; runs beside an object detector on each analysed frame, and finds the face in enrolment photos",
    }),
    detector_score_threshold: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.6,
      description: "face-detection score threshold",
    }),
    match_threshold: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          "cosine similarity at or above which a face is a watchlist match; a person's own threshold overrides it. Model-specific: unset, the embedding model's manifest match_threshold applies (dlib-resnet-150: 0.95, mobilefacenet-112: 0.98; see docs/watchlist.md)",
      }),
    ),
    min_face_px: Type.Integer({
      minimum: 8,
      maximum: 4096,
      default: 24,
      description:
        "faces narrower than this in the frame at its working resolution (cameras[].detect) are not recognised; head squares narrower than this are not searched",
    }),
    max_faces_per_frame: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 5,
      description:
        "the largest faces of a frame that are recognised (and the largest people whose head squares are searched); the rest are skipped",
    }),
    unknown_alert: Type.Boolean({
      default: false,
      description: "also report faces that match nobody, so rules can raise unknown-face incidents",
    }),
    enroll_max_photos: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 10,
      description: "photos per enrolment request",
    }),
    enroll_body_limit_bytes: Type.Integer({
      minimum: 65_536,
      maximum: 67_108_864,
      default: 8_388_608,
      description: "POST /v1/watchlist body limit (base64 photos)",
    }),
  },
  { additionalProperties: false, default: {} },
);
