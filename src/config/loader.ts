import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parseDocument } from "yaml";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { cameraSourceProblem, cameraSourcePolicy } from "./camera-source-rules.js";
import { mqttTransportProblem } from "./mqtt-rules.js";
import { applyEnvOverride, collectEnvOverrides, EnvOverrideError } from "./env-overrides.js";
import { ConfigSchema, type VigilConfig } from "./schema.js";
import { checkZoneRules } from "./zone-rule-checks.js";

export const DEFAULT_CONFIG_PATH = "/etc/vigil/vigil.yaml";

/** `--config` wins, then $VIGIL_CONFIG, then the box's standard location. */
export function configPathFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.VIGIL_CONFIG && env.VIGIL_CONFIG.length > 0 ? env.VIGIL_CONFIG : DEFAULT_CONFIG_PATH);
}

/** JSON pointer (`/cameras/0/url`) to the dotted form installers read (`cameras[0].url`). */
export function keyPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function invalid(path: string, problem: string): VigilError {
  return new VigilError(ErrorCodes.CONFIG_INVALID, `${path || "(root)"}: ${problem}`, { details: { path } });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates an already-parsed document; pure apart from reading `env`. */
export function buildConfig(raw: unknown, env: NodeJS.ProcessEnv, baseDir: string): Readonly<VigilConfig> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid("", "the configuration must be a mapping of keys");
  const doc = structuredClone(raw) as Record<string, unknown>;
  try {
    for (const override of collectEnvOverrides(ConfigSchema, env)) applyEnvOverride(doc, override);
  } catch (err) {
    if (err instanceof EnvOverrideError)
      throw new VigilError(ErrorCodes.CONFIG_INVALID, err.message, { details: { path: err.variable } });
    throw err;
  }
  const withDefaults = Value.Default(ConfigSchema, doc);
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first) {
    const hint = (first.schema as { description?: string }).description;
    throw invalid(keyPath(first.path), `${first.message}${hint ? ` (${hint})` : ""}`);
  }
  const config = withDefaults as VigilConfig;
  const seen = new Set<string>();
  config.cameras.forEach((camera, i) => {
    if (seen.has(camera.id)) throw invalid(`cameras[${i}].id`, `duplicate camera id "${camera.id}"`);
    seen.add(camera.id);
  });
  // Zone rules must name zones that exist (throws with the rule's path).
  checkZoneRules(config);
  const mqtt = mqttTransportProblem(config);
  if (mqtt) throw invalid(mqtt.path, mqtt.problem);
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  config.data_dir = abs(config.data_dir);
  config.secrets_dir = abs(config.secrets_dir);
  // The same rules as cameras added through the API and CLI, except that the installer's own
  // file may name file:// sources.
  const sources = { ...cameraSourcePolicy(config), allowFileUrls: true };
  config.cameras.forEach((camera, i) => {
    const problem = cameraSourceProblem(camera, sources);
    if (problem) throw invalid(`cameras[${i}].${problem.field.slice(1)}`, problem.message);
  });
  config.certs_dir = abs(config.certs_dir);
  // TLS files named without a directory live in certs_dir, where `vigil cert` writes them.
  const inCerts = (p: string): string => (isAbsolute(p) ? p : resolve(config.certs_dir, p));
  if (config.http.tls) config.http.tls = { cert: inCerts(config.http.tls.cert), key: inCerts(config.http.tls.key) };
  const mqttTls = config.mqtt.tls;
  if (mqttTls) {
    for (const k of ["ca", "cert", "key"] as const) {
      const v = mqttTls[k];
      if (v !== undefined && v !== "") mqttTls[k] = inCerts(v);
    }
  }
  config.models_dir = config.models_dir === "" ? resolve(PACKAGE_ROOT, "models") : abs(config.models_dir);
  if (config.commands.key_file !== "") config.commands.key_file = abs(config.commands.key_file);
  if (config.mqtt.client_id === "") config.mqtt.client_id = `vigil-${config.site}-${config.gateway}`;
  return deepFreeze(config);
}

/** Reads the YAML file, applies env overrides and defaults, validates once, and freezes. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Readonly<VigilConfig>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new VigilError(ErrorCodes.CONFIG_NOT_FOUND, `cannot read configuration ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const parseError = doc.errors[0];
  if (parseError) throw new VigilError(ErrorCodes.CONFIG_PARSE, `${path}: ${parseError.message}`);
  return buildConfig(doc.toJS() ?? {}, env, dirname(resolve(path)));
}
