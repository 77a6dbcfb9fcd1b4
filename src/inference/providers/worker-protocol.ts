import type { InputEncoding } from "../model-input.js";

/** Messages between a provider and its worker thread (structured-clone safe, no classes). */
export type ProviderBackend = "cpu" | "cuda" | "tensorrt" | "webgpu";

export interface LoadRequest {
  readonly kind: "load";
  readonly modelPath: string;
  readonly backend: ProviderBackend;
  readonly threads: number;
  readonly inputName: string;
  readonly inputShape: readonly number[];
  readonly outputs: readonly string[];
  /** How the worker turns the frame into the model's tensor. */
  readonly encoding: InputEncoding;
  /** Frame slots: rgb24 frames the main thread writes before the run requests naming them. */
  readonly frames: readonly SharedArrayBuffer[];
}

export interface RunRequest {
  readonly kind: "run";
  readonly id: number;
  /** Which frame slot to run on. */
  readonly slot: number;
}

export type ToWorker = LoadRequest | RunRequest;

export interface WireTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type FromWorker =
  | { readonly kind: "loaded"; readonly loadMs: number; readonly warmupMs: number }
  | { readonly kind: "load-failed"; readonly error: string }
  | { readonly kind: "result"; readonly id: number; readonly outputs: readonly WireTensor[]; readonly ms: number }
  | { readonly kind: "run-failed"; readonly id: number; readonly error: string };
