import type { ModelEntry } from "./model-manifest.js";

/** Width and height of a model's image input, read from its shape according to its layout. */
export function modelInputSize(model: ModelEntry): { width: number; height: number; channels: number } {
  const [, a = 0, b = 0, c = 0] = model.input.shape;
  return model.input.layout === "NCHW" ? { channels: a, height: b, width: c } : { height: a, width: b, channels: c };
}

/** How a model wants its input: the manifest's `input` block without name and shape. */
export interface InputEncoding {
  readonly layout: "NCHW" | "NHWC";
  readonly color: "RGB" | "BGR";
  readonly scale: number;
  readonly offset: number;
  /** Per tensor channel (after any BGR swap), subtracted after scale/offset. */
  readonly mean?: readonly number[] | undefined;
  /** Per tensor channel, divides after the mean. */
  readonly std?: readonly number[] | undefined;
}
