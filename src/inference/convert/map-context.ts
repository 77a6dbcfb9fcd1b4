import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { HostDType, HostTensor } from "./host-tensor.js";
import type { OnnxGraphWriter } from "./onnx-writer.js";
import type { TfNode } from "./tf-graph.js";

/** What an op mapper sees: its node's inputs as ONNX values or constants, and the writer. */
export interface MapContext {
  readonly w: OnnxGraphWriter;
  /** The ONNX value for data input i (emitting its producer, or an initializer, first). */
  input(node: TfNode, i: number): string;
  /** The constant value of input i; a conversion error if it is computed at run time. */
  constInput(node: TfNode, i: number): HostTensor;
  /** The constant value of input i, or undefined when it is computed at run time. */
  maybeConst(node: TfNode, i: number): HostTensor | undefined;
  /** The name the node's output i must be written to ("node:i"). */
  output(node: TfNode, i?: number): string;
  /** Padding folded into this node from a Pad that fed it: [top, left, bottom, right]. */
  foldedPads(node: TfNode): readonly number[] | undefined;
  /** The dtype of the node's output. */
  dtypeOf(node: TfNode): HostDType;
}

export type OpMapper = (node: TfNode, ctx: MapContext) => void;

/** The error for a graph the converter cannot translate faithfully; it names the op and node. */
export function unsupported(node: TfNode, why?: string): never {
  const detail = why ? `: ${why}` : "";
  throw new VigilError(
    ErrorCodes.MODEL_CONVERT_UNSUPPORTED_OP,
    `cannot convert TF op "${node.op}" at node "${node.name}"${detail}`,
    {
      details: { op: node.op, node: node.name },
    },
  );
}
