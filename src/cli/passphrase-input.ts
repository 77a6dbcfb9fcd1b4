import { ErrorCodes, VigilError } from "../core/errors.js";
import { readHiddenInput } from "./password-input.js";

/** Shorter passphrases fall to a guessing run against a stolen backup, scrypt or not. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** The passphrase that seals a backup's secrets (`vigil backup F --with-secrets <passphrase-file`). */
export async function readNewPassphrase(): Promise<string> {
  const passphrase = await readHiddenInput({ label: "backup passphrase", field: "passphrase", confirm: true });
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`,
      { details: { field: "passphrase" } },
    );
  }
  return passphrase;
}

/** The passphrase of an existing backup: stdin when it is not a terminal, else asked once. */
export function readPassphrase(): Promise<string> {
  return readHiddenInput({ label: "backup passphrase", field: "passphrase", confirm: false });
}
