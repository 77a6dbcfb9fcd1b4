import { exitCodeFor, isVigilError } from "../core/errors.js";

/** Prints a result as JSON (`--json`) or as the human text, on stdout. */
export function emit(json: boolean, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** Reports an error the way every verb does: code and message, and the sysexits-style exit code. */
export function fail(err: unknown, json: boolean): never {
  const code = isVigilError(err) ? err.code : "VIGIL_E_INTERNAL";
  const message = err instanceof Error ? err.message : String(err);
  const details = isVigilError(err) ? err.details : undefined;
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: { code, message, ...(details ? { details } : {}) } })}\n`,
    );
  else process.stderr.write(`vigil: ${code}: ${message}\n`);
  process.exit(exitCodeFor(err));
}

/** A counter on a terminal, silence elsewhere (logs and CI stay clean). */
export function progress(label: string): (done: number, total: number, item?: string) => void {
  if (!process.stderr.isTTY) return () => {};
  return (done, total, item) => {
    process.stderr.write(`\r${label} ${done}/${total}${item ? ` ${item}` : ""}\x1b[K${done === total ? "\n" : ""}`);
  };
}

/** The `--config` help every verb that touches a box shows. */
export const CONFIG_HELP = "configuration file (default $VIGIL_CONFIG or /etc/vigil/vigil.yaml)";
