import { type TSchema } from "@sinclair/typebox";

/**
 * `VIGIL__HTTP__LISTEN=0.0.0.0:8080` overrides `http.listen`. Names are derived from the schema, so
 * every key is overridable and a misspelt variable is an error instead of being silently ignored.
 */
export const ENV_PREFIX = "VIGIL__";

export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

export class EnvOverrideError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, TSchema>;
  items?: TSchema;
  anyOf?: TSchema[];
  const?: unknown;
}

function coerce(variable: string, schema: JsonSchemaNode, raw: string): unknown {
  const type =
    schema.type ?? (schema.anyOf?.every((s) => typeof (s as JsonSchemaNode).const === "string") ? "string" : undefined);
  switch (type) {
    case "string":
      return raw;
    case "integer":
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n))
        throw new EnvOverrideError(variable, `expected a number, got "${raw}"`);
      return n;
    }
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new EnvOverrideError(variable, `expected true or false, got "${raw}"`);
    case "array":
      if (raw.trim().startsWith("[")) return parseJson(variable, raw);
      // A comma-separated list is the natural shell spelling for lists of strings (broker URLs).
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    default:
      return parseJson(variable, raw);
  }
}

function parseJson(variable: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new EnvOverrideError(variable, "expected a JSON value");
  }
}

/** Resolves one variable name against the schema; pure. */
export function resolveEnvOverride(schema: TSchema, variable: string, raw: string): EnvOverride {
  const segments = variable
    .slice(ENV_PREFIX.length)
    .split("__")
    .map((s) => s.toLowerCase());
  if (segments.some((s) => s.length === 0)) throw new EnvOverrideError(variable, "empty path segment");
  const path: (string | number)[] = [];
  let node = schema as JsonSchemaNode;
  for (const segment of segments) {
    if (node.type === "object" && node.properties && segment in node.properties) {
      path.push(segment);
      node = node.properties[segment] as JsonSchemaNode;
    } else if (node.type === "array" && node.items && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      node = node.items as JsonSchemaNode;
    } else {
      throw new EnvOverrideError(variable, `no configuration key "${[...path, segment].join(".")}"`);
    }
  }
  return { variable, path, value: coerce(variable, node, raw) };
}

export function collectEnvOverrides(schema: TSchema, env: NodeJS.ProcessEnv): EnvOverride[] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[0].startsWith(ENV_PREFIX) && entry[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variable, raw]) => resolveEnvOverride(schema, variable, raw));
}

/** Writes the override into a plain config object, creating the containers on the way. */
export function applyEnvOverride(target: Record<string, unknown>, override: EnvOverride): void {
  let node: Record<string | number, unknown> = target;
  override.path.forEach((key, i) => {
    if (i === override.path.length - 1) {
      node[key] = override.value;
      return;
    }
    const next = node[key];
    if (typeof next !== "object" || next === null) {
      const created = (typeof override.path[i + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
      node[key] = created;
      node = created;
    } else {
      node = next as Record<string | number, unknown>;
    }
  });
}
