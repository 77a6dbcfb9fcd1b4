import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { HostTensor } from "./host-tensor.js";
import { decodeWeights, type WeightSpec } from "./weight-decode.js";

/** The parts of a TF.js graph-model node the converter reads (attr values are TF AttrValue JSON). */
export interface GraphNodeJson {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, unknown>>;
}

export interface GraphModelJson {
  readonly format?: string;
  readonly modelTopology: { readonly node: readonly GraphNodeJson[] };
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly WeightSpec[] }[];
  readonly signature?: { readonly outputs?: Readonly<Record<string, { readonly name: string }>> };
  readonly userDefinedMetadata?: {
    readonly signature?: { readonly outputs?: Readonly<Record<string, { readonly name: string }>> };
  };
}

export interface GraphModel {
  readonly json: GraphModelJson;
  readonly weights: ReadonlyMap<string, HostTensor>;
}

function failed(message: string, cause?: unknown): VigilError {
  return new VigilError(ErrorCodes.MODEL_CONVERT_FAILED, message, cause === undefined ? undefined : { cause });
}

export function parseGraphModelJson(text: string, where: string): GraphModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw failed(`${where} is not JSON: ${(err as Error).message}`, err);
  }
  const m = json as Partial<GraphModelJson>;
  if (m.format !== undefined && m.format !== "graph-model")
    throw failed(`${where} is a TF.js "${m.format}", not a graph model`);
  if (!Array.isArray(m.modelTopology?.node) || !Array.isArray(m.weightsManifest))
    throw failed(`${where} has no modelTopology.node or weightsManifest: not a TF.js graph model`);
  return m as GraphModelJson;
}

/** Reads model.json and its weight shards (paths relative to model.json, in manifest order). */
export async function readGraphModel(modelJsonPath: string): Promise<GraphModel> {
  const json = parseGraphModelJson(await readFile(modelJsonPath, "utf8"), modelJsonPath);
  const base = dirname(modelJsonPath);
  const specs: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        chunks.push(await readFile(join(base, p)));
      } catch (err) {
        throw failed(`cannot read weight shard ${p} of ${modelJsonPath}: ${(err as Error).message}`, err);
      }
    }
  }
  return { json, weights: decodeWeights(specs, Buffer.concat(chunks)) };
}
