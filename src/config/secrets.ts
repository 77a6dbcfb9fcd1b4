import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { MIN_SECRET_BYTES, REQUIRED_SECRETS, type SecretName } from "./schema.js";

/** Values seen in tutorials, examples and factory images; any of these means nobody set a secret. */
const KNOWN_DEFAULTS = new Set(
  [
    "changeme",
    "change-me",
    "secret",
    "password",
    "default",
    "vigil",
    "admin",
    "example",
    "test",
    "supersecret",
    "your-secret-here",
  ].map((s) => s.toLowerCase()),
);

/** Why a secret is unfit, or undefined if it is acceptable. Pure, for tests and for `init`. */
export function secretWeakness(value: string): string | undefined {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes < MIN_SECRET_BYTES) return `shorter than ${MIN_SECRET_BYTES} bytes (${bytes})`;
  const lower = value.toLowerCase();
  for (const known of KNOWN_DEFAULTS) {
    // Defaults get repeated or cut to pass a length check ("changemechangeme...", "changeme!"):
    // what is left after removing the default and its prefixes must carry the 32 bytes alone.
    const rest = lower.replaceAll(known, "");
    const cut = [...Array(known.length).keys()].reverse().find((n) => n > 0 && rest.startsWith(known.slice(0, n)));
    if (Buffer.byteLength(cut ? rest.slice(cut) : rest, "utf8") < MIN_SECRET_BYTES / 2) return "a known default value";
  }
  if (new Set(value).size < 8) return "too few distinct characters to be random";
  if (repeatingPeriod(value) !== undefined) return "a repeated pattern, not random";
  return undefined;
}

/** The shortest p <= len/2 with value[i] === value[i - p] for all i, if any ("abcabcab" -> 3). */
function repeatingPeriod(value: string): number | undefined {
  for (let p = 1; p <= value.length / 2; p++) {
    let periodic = true;
    for (let i = p; i < value.length && periodic; i++) periodic = value[i] === value[i - p];
    if (periodic) return p;
  }
  return undefined;
}

export type Secrets = Readonly<Record<SecretName, string>>;

/** systemd's LoadCredential= puts secrets in $CREDENTIALS_DIRECTORY; it wins over secrets_dir. */
export function secretsDirectory(configured: string, env: NodeJS.ProcessEnv): string {
  return env.CREDENTIALS_DIRECTORY && env.CREDENTIALS_DIRECTORY.length > 0 ? env.CREDENTIALS_DIRECTORY : configured;
}

/**
 * Where a secret is looked for, in order: the credentials systemd loaded for the unit, then
 * secrets_dir. The unit loads the daemon's own keys; camera credentials and tokens an installer adds
 * later stay in secrets_dir without a unit edit per file.
 */
export function secretsSearchPath(configured: string, env: NodeJS.ProcessEnv): string[] {
  const creds = env.CREDENTIALS_DIRECTORY;
  return creds && creds.length > 0 && creds !== configured ? [creds, configured] : [configured];
}

export async function readSecretFile(dirs: string | readonly string[], name: string): Promise<string> {
  const search = typeof dirs === "string" ? [dirs] : dirs;
  let text: string | undefined;
  let lastErr: unknown;
  for (const dir of search) {
    try {
      text = await readFile(join(dir, name), "utf8");
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (text === undefined) {
    throw new VigilError(
      ErrorCodes.SECRET_MISSING,
      `secret "${name}" not readable in ${search.join(" or ")} (run "vigil init")`,
      { cause: lastErr },
    );
  }
  // Editors and `echo` add a trailing newline; it is never part of the secret.
  return text.replace(/\r?\n$/, "");
}

/** One secret file that must pass the same strength rules as the required secrets. */
export async function readStrongSecret(dirs: string | readonly string[], name: string): Promise<string> {
  const value = await readSecretFile(dirs, name);
  const weakness = secretWeakness(value);
  if (weakness)
    throw new VigilError(
      ErrorCodes.SECRET_WEAK,
      `secret "${name}" in ${[dirs].flat().join(" or ")} is refused: ${weakness}`,
      { details: { secret: name } },
    );
  return value;
}

export async function loadSecrets(secretsDir: string, env: NodeJS.ProcessEnv): Promise<Secrets> {
  const dirs = secretsSearchPath(secretsDir, env);
  const entries = await Promise.all(
    REQUIRED_SECRETS.map(async (name) => [name, await readStrongSecret(dirs, name)] as const),
  );
  return Object.freeze(Object.fromEntries(entries) as Record<SecretName, string>);
}
