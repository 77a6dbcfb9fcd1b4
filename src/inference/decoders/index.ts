import { ErrorCodes, VigilError } from "../../core/errors.js";
import { decodeNanoDet } from "./nanodet.js";
import type { ObjectDecoder } from "./types.js";
import { decodeYoloV5 } from "./yolov5.js";
import { decodeYoloV8 } from "./yolov8.js";

/** Decoder names a manifest entry of task object-detection may use. YOLO11 exports share YOLOv8's head. */
export const OBJECT_DECODERS: Readonly<Record<string, ObjectDecoder>> = {
  nanodet: decodeNanoDet,
  yolov5: decodeYoloV5,
  yolov8: decodeYoloV8,
  yolo11: decodeYoloV8,
};

export function objectDecoder(name: string, modelId: string): ObjectDecoder {
  const d = OBJECT_DECODERS[name];
  if (!d) {
    throw new VigilError(
      ErrorCodes.MANIFEST_INVALID,
      `model "${modelId}" names decoder "${name}"; object detectors use one of ${Object.keys(OBJECT_DECODERS).join(", ")}`,
    );
  }
  return d;
}
