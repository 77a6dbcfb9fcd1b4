import type { OpMapper } from "../map-context.js";
import { CONV_MAPPERS } from "./conv.js";
import { ELEMENTWISE_MAPPERS } from "./elementwise.js";
import { POOL_MAPPERS } from "./pool.js";
import { REDUCE_MATMUL_MAPPERS } from "./reduce-matmul.js";
import { RESIZE_MAPPERS } from "./resize.js";
import { SHAPE_MAPPERS } from "./shape.js";
import { stridedSlice } from "./strided-slice.js";

/** Every TF op the converter translates; anything else is VIGIL_E_MODEL_CONVERT_UNSUPPORTED_OP. */
export const OP_MAPPERS: Readonly<Record<string, OpMapper>> = {
  ...CONV_MAPPERS,
  ...POOL_MAPPERS,
  ...RESIZE_MAPPERS,
  ...ELEMENTWISE_MAPPERS,
  ...SHAPE_MAPPERS,
  ...REDUCE_MATMUL_MAPPERS,
  StridedSlice: stridedSlice,
};
