import { Type } from "@sinclair/typebox";

/** `POST /v1/watchlist/face-preview`: one photo, as enrolment takes them. */
export const FacePreviewBodySchema = Type.Object(
  { photo: Type.String({ minLength: 4, pattern: "^[A-Za-z0-9+/=\\r\\n_-]+$", description: "a JPEG, base64" }) },
  { additionalProperties: false },
);

export const FacePreviewSchema = Type.Object({
  width: Type.Integer({ description: "the photo's width as decoded for detection" }),
  height: Type.Integer(),
  faces: Type.Array(
    Type.Object({
      box: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], {
        description: "x1, y1, x2, y2 relative to the photo (0..1)",
      }),
      score: Type.Number(),
      face_px: Type.Integer({ description: "the face's width in the photo's pixels" }),
    }),
    { description: "every face found; enrolment needs exactly one, at least faces.min_face_px wide" },
  ),
});
