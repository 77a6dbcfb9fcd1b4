import type { HostDType } from "./host-tensor.js";

const BY_TF: Record<string, HostDType> = { DT_FLOAT: "float32", DT_INT32: "int32", DT_INT64: "int64", DT_BOOL: "bool" };

/** TF's DataType enum name -> the converter's dtype; undefined for types it does not carry. */
export function fromTfType(tf: string | undefined): HostDType | undefined {
  return tf === undefined ? undefined : BY_TF[tf];
}
