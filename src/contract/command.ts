/**
 * What the gateway publishes on `<base>/cmd_result/<name>` for every command it received on
 * `<base>/cmd/<name>`. Central matches results to commands by `id`; `id` is null only when the
 * command was refused before any id could be read from it.
 */
export interface CommandResult {
  readonly id: string | null;
  readonly ok: boolean;
  /** Present when `ok` is false; `code` is a stable `VIGIL_E_...` code, `message` is for people. */
  readonly error?: { readonly code: string; readonly message: string };
  /** What the command's handler returned, if anything (plain JSON). */
  readonly data?: unknown;
}

/** What a handler learns about the command it runs, besides its arguments. */
export interface CommandContext {
  readonly id: string;
  readonly name: string;
}
