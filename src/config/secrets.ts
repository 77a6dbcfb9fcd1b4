import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { MIN_SECRET_BYTES, REQUIRED_SECRETS, type SecretName } from "./schema.js";

/** Values seen in tutorials, examples and factory images; any of these means nobody set a secret. */
const KNOWN_DEFAULTS = new Set(
  ["changeme", "change-me", "secret", "password", "default", "vigil", "admin", "example", "test", "supersecret", "your-secret-here"].map((s) => s.toLowerCase()),
);

/** Why a secret is unfit, or undefined if it is acceptable. Pure, for tests and for `init`. */
export function secretWeakness(value: string): string | undefined {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes < MIN_SECRET_BYTES) return `shorter than ${MIN_SECRET_BYTES} bytes (${bytes})`;
  const lower = value.toLowerCase();
  for (const known of KNOWN_DEFAULTS) {
    if (lower === known || lower.replaceAll(known, "").length === 0) return "a known default value";
  }
  if (new Set(value).size < 8) return "too few distinct characters to be random";
  return undefined;
}

export type Secrets = Readonly<Record<SecretName, string>>;

/** systemd's LoadCredential= puts secrets in $CREDENTIALS_DIRECTORY; it wins over secrets_dir. */
export function secretsDirectory(configured: string, env: NodeJS.ProcessEnv): string {
  return env.CREDENTIALS_DIRECTORY && env.CREDENTIALS_DIRECTORY.length > 0 ? env.CREDENTIALS_DIRECTORY : configured;
}

export async function readSecretFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new VigilError(ErrorCodes.SECRET_MISSING, `secret "${name}" not readable at ${path} (run "vigil init")`, { cause: err });
  }
  // Editors and `echo` add a trailing newline; it is never part of the secret.
  return text.replace(/\r?\n$/, "");
}

export async function loadSecrets(secretsDir: string, env: NodeJS.ProcessEnv): Promise<Secrets> {
  const dir = secretsDirectory(secretsDir, env);
  const entries = await Promise.all(
    REQUIRED_SECRETS.map(async (name) => {
      const value = await readSecretFile(dir, name);
      const weakness = secretWeakness(value);
      if (weakness) throw new VigilError(ErrorCodes.SECRET_WEAK, `secret "${name}" in ${dir} is refused: ${weakness}`, { details: { secret: name } });
      return [name, value] as const;
    }),
  );
  return Object.freeze(Object.fromEntries(entries) as Record<SecretName, string>);
}
