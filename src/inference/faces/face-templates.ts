/**
 * Where an embedding model expects the face: the crop size and, for the four keypoints BlazeFace
 * gives (the subject's right eye, left eye, nose tip, mouth centre, in that order), the points
 * they are aligned onto. Crop pixel coordinates, pixel centres on integers. A model is trained on
 * one layout, so the template is part of the model (the manifest's `input.align`).
 */

import type { ModelEntry } from "../model-manifest.js";
import type { Point } from "../../core/geometry.js";

export interface FaceTemplate {
  readonly size: number;
  readonly points: readonly Point[];
}

/**
 * InsightFace's ArcFace template for 112x112 (MobileFaceNet and most ArcFace-family models): the
 * mouth point is the mean of the template's two mouth corners, because BlazeFace gives the mouth
 * centre, not its corners.
 */
export const ARCFACE_112: FaceTemplate = {
  size: 112,
  points: [
    { x: 38.2946, y: 51.6963 },
    { x: 73.5318, y: 51.5014 },
    { x: 56.0252, y: 71.7366 },
    { x: (41.5493 + 70.7299) / 2, y: (92.3655 + 92.2041) / 2 },
  ],
};

/**
 * dlib's mean face shape, points 17..67 of the 68-point markup (iBUG 300-W), in a unit square;
 * verbatim from get_face_chip_details() in dlib/image_transforms/interpolation.h (dlib 19.24,
 * Copyright Davis E. King, Boost Software License 1.0; see models/dlib-resnet/NOTICE).
 */
const DLIB_MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127,
  0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606,
  0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127,
  0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127,
  0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const DLIB_MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352,
  0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852,
  0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405,
  0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792,
  0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/** The centroid of 68-point markup points `from`..`to` (inclusive) of dlib's mean face. */
function meanOf(from: number, to: number): Point {
  let x = 0,
    y = 0;
  for (let i = from; i <= to; i++) {
    x += DLIB_MEAN_X[i - 17] ?? NaN;
    y += DLIB_MEAN_Y[i - 17] ?? NaN;
  }
  return { x: x / (to - from + 1), y: y / (to - from + 1) };
}

/**
 * dlib's face chip as dlib_face_recognition_resnet_model_v1 was trained on and is documented to
 * take: get_face_chip_details(shape, 150, 0.25), which places mean-face point m at
 * (padding + m) / (1 + 2 padding) * size. dlib aligns on its own landmarks (5 or 68 points);
 * BlazeFace's four are matched to the same mean face: each eye's centre is the centroid of its
 * six contour points (36-41, 42-47), the nose tip is point 30, the mouth centre the centroid of
 * the twenty lip points (48-67). (dlib's extraction rectangle is one pixel narrower than
 * size * scale, a sub-pixel difference not reproduced here.)
 */
export const DLIB_150: FaceTemplate = dlibChip(150, 0.25);

function dlibChip(size: number, padding: number): FaceTemplate {
  const place = (m: Point): Point => ({
    x: ((padding + m.x) / (1 + 2 * padding)) * size,
    y: ((padding + m.y) / (1 + 2 * padding)) * size,
  });
  return { size, points: [meanOf(36, 41), meanOf(42, 47), meanOf(30, 30), meanOf(48, 67)].map(place) };
}

export type FaceAlign = NonNullable<ModelEntry["input"]["align"]>;

const FACE_TEMPLATES: Readonly<Record<FaceAlign, FaceTemplate>> = { "arcface-112": ARCFACE_112, "dlib-150": DLIB_150 };

/** The template a manifest's `input.align` names; without one, ArcFace's (the common 112x112 layout). */
export function faceTemplate(align: FaceAlign | undefined): FaceTemplate {
  return FACE_TEMPLATES[align ?? "arcface-112"];
}
