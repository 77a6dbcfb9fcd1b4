// TF.js itself (pure-JS CPU backend) as the reference the converted ONNX models are checked
// against: same model.json and shards, executed by the library that defines their semantics.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";

let ready: Promise<void> | undefined;
function cpuBackend(): Promise<void> {
  ready ??= tf.setBackend("cpu").then(() => tf.ready());
  return ready;
}

export async function loadTfjsGraphModel(modelJsonPath: string): Promise<tf.GraphModel> {
  await cpuBackend();
  const json = JSON.parse(await readFile(modelJsonPath, "utf8")) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
    signature?: object;
    userDefinedMetadata?: Record<string, object>;
  };
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest)
    for (const p of group.paths) shards.push(await readFile(join(dirname(modelJsonPath), p)));
  const weights = Buffer.concat(shards);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    format: json.format ?? "graph-model",
    ...(json.signature ? { signature: json.signature } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  };
  return tf.loadGraphModel(tf.io.fromMemory(artifacts));
}

/** Runs the graph on one float32 input and returns the named outputs as flat arrays. */
export async function runTfjs(
  model: tf.GraphModel,
  inputName: string,
  shape: number[],
  data: Float32Array,
  outputs: string[],
): Promise<Float32Array[]> {
  const input = tf.tensor(data, shape, "float32");
  try {
    const result = model.execute({ [inputName]: input }, outputs);
    const list = Array.isArray(result) ? result : [result];
    const values = await Promise.all(list.map(async (t) => new Float32Array(await t.data())));
    for (const t of list) t.dispose();
    return values;
  } finally {
    input.dispose();
  }
}

/** Builds a graph model from hand-written nodes and weights (for op-level checks). */
export async function tfjsFromParts(
  nodes: object[],
  weightSpecs: tf.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): Promise<tf.GraphModel> {
  await cpuBackend();
  return tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: { node: nodes, versions: {} }, weightSpecs, weightData, format: "graph-model" }),
  );
}
