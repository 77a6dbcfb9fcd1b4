import type { OpMapper } from "../map-context.js";
import { emitActivation } from "./activation.js";

/** TF binary ops broadcast like numpy, as ONNX's do. */
function binary(onnxOp: string): OpMapper {
  return (node, ctx) => ctx.w.node(onnxOp, [ctx.input(node, 0), ctx.input(node, 1)], [ctx.output(node)]);
}

function unary(onnxOp: string): OpMapper {
  return (node, ctx) => ctx.w.node(onnxOp, [ctx.input(node, 0)], [ctx.output(node)]);
}

function activation(act: string): OpMapper {
  return (node, ctx) => emitActivation(ctx, node, act, ctx.input(node, 0), ctx.output(node), 1);
}

export const ELEMENTWISE_MAPPERS: Readonly<Record<string, OpMapper>> = {
  Add: binary("Add"),
  AddV2: binary("Add"),
  BiasAdd: binary("Add"),
  Sub: binary("Sub"),
  Mul: binary("Mul"),
  RealDiv: binary("Div"),
  Div: binary("Div"),
  Maximum: binary("Max"),
  Minimum: binary("Min"),
  Pow: binary("Pow"),
  Abs: unary("Abs"),
  Exp: unary("Exp"),
  Log: unary("Log"),
  Neg: unary("Neg"),
  Sqrt: unary("Sqrt"),
  Floor: unary("Floor"),
  Ceil: unary("Ceil"),
  Reciprocal: unary("Reciprocal"),
  Softplus: unary("Softplus"),
  Identity: unary("Identity"),
  Relu: activation("Relu"),
  Relu6: activation("Relu6"),
  Sigmoid: activation("Sigmoid"),
  Tanh: activation("Tanh"),
  Elu: activation("Elu"),
  LeakyRelu: activation("LeakyRelu"),
  Prelu: activation("Prelu"),
  Square: (node, ctx) => {
    const x = ctx.input(node, 0);
    ctx.w.node("Mul", [x, x], [ctx.output(node)]);
  },
  Rsqrt: (node, ctx) =>
    ctx.w.node("Reciprocal", [ctx.w.op("Sqrt", [ctx.input(node, 0)], `${node.name}/sqrt`)], [ctx.output(node)]),
  SquaredDifference: (node, ctx) => {
    const d = ctx.w.op("Sub", [ctx.input(node, 0), ctx.input(node, 1)], `${node.name}/diff`);
    ctx.w.node("Mul", [d, d], [ctx.output(node)]);
  },
  Softmax: (node, ctx) => ctx.w.node("Softmax", [ctx.input(node, 0)], [ctx.output(node)], { axis: { i: -1 } }),
  Sign: unary("Sign"),
  ClipByValue: (node, ctx) =>
    ctx.w.node("Clip", [ctx.input(node, 0), ctx.input(node, 1), ctx.input(node, 2)], [ctx.output(node)]),
};
