import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { GraphNodeJson } from "./graph-model-file.js";

/** A reference to one output of a node: TF's "name:index" (":0" implied). */
export interface TensorRef {
  readonly node: string;
  readonly index: number;
}

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs; control inputs ("^name") only order execution and are dropped. */
  inputs: TensorRef[];
  readonly attr: Readonly<Record<string, unknown>>;
}

export function parseRef(text: string): TensorRef {
  const m = /^(.*):(\d+)$/.exec(text);
  return m?.[1] !== undefined && m[2] !== undefined ? { node: m[1], index: Number(m[2]) } : { node: text, index: 0 };
}

export function refName(ref: TensorRef): string {
  return `${ref.node}:${ref.index}`;
}

export function parseNodes(json: readonly GraphNodeJson[]): Map<string, TfNode> {
  const nodes = new Map<string, TfNode>();
  for (const n of json) {
    const inputs = (n.input ?? []).filter((i) => !i.startsWith("^")).map(parseRef);
    nodes.set(n.name, { name: n.name, op: n.op, inputs, attr: n.attr ?? {} });
  }
  return nodes;
}

function attrFailed(node: TfNode, key: string, want: string): never {
  throw new VigilError(
    ErrorCodes.MODEL_CONVERT_FAILED,
    `node "${node.name}" (${node.op}) has no ${want} attribute "${key}"`,
    { details: { op: node.op, node: node.name } },
  );
}

type AttrValue = {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
};

function raw(node: TfNode, key: string): AttrValue | undefined {
  return node.attr[key] as AttrValue | undefined;
}

export function attrString(node: TfNode, key: string, fallback?: string): string {
  const v = raw(node, key)?.s;
  if (v === undefined) return fallback ?? attrFailed(node, key, "string");
  return Buffer.from(v, "base64").toString("utf8");
}

export function attrInt(node: TfNode, key: string, fallback?: number): number {
  const v = raw(node, key)?.i;
  if (v === undefined) return fallback ?? attrFailed(node, key, "int");
  return Number(v);
}

export function attrFloat(node: TfNode, key: string, fallback?: number): number {
  const v = raw(node, key)?.f;
  if (v === undefined) return fallback ?? attrFailed(node, key, "float");
  return Number(v);
}

export function attrBool(node: TfNode, key: string, fallback = false): boolean {
  return raw(node, key)?.b ?? fallback;
}

export function attrInts(node: TfNode, key: string, fallback?: number[]): number[] {
  const v = raw(node, key)?.list?.i;
  if (v === undefined) return fallback ?? attrFailed(node, key, "int list");
  return v.map(Number);
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (raw(node, key)?.list?.s ?? []).map((s) => Buffer.from(s, "base64").toString("utf8"));
}

export function attrType(node: TfNode, key: string): string | undefined {
  return raw(node, key)?.type;
}

/** A Placeholder's declared shape; -1 for unknown dimensions, undefined for unknown rank. */
export function attrShape(node: TfNode, key: string): number[] | undefined {
  const shape = raw(node, key)?.shape;
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d) => (d.size === undefined ? 0 : Number(d.size)));
}
