import { type Static, Type } from "@sinclair/typebox";
import { PERSON_ID_PATTERN } from "./person-record.js";

export const PersonIdSchema = Type.String({
  pattern: PERSON_ID_PATTERN,
  description: "a watchlist person id, wl_ and 16 characters",
});

/** `POST /v1/watchlist`, the `watchlist.enroll` admin op and MQTT command share this shape. */
export const EnrollArgsSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: "how operators will see the person" }),
    threshold: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "this person's own match threshold (cosine similarity); default: faces.match_threshold",
      }),
    ),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    photos: Type.Array(
      Type.String({ minLength: 4, pattern: "^[A-Za-z0-9+/=\\r\\n_-]+$", description: "a JPEG, base64" }),
      {
        minItems: 1,
        maxItems: 50,
        description: "photos of the person, each with exactly one face",
      },
    ),
  },
  { additionalProperties: false },
);
export type EnrollArgs = Static<typeof EnrollArgsSchema>;

export const DeleteArgsSchema = Type.Object({ id: PersonIdSchema }, { additionalProperties: false });
export type DeleteArgs = Static<typeof DeleteArgsSchema>;

export const ListArgsSchema = Type.Object({}, { additionalProperties: false });
