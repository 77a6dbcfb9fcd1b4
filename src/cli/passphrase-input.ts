import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** Shorter passphrases fall to a guessing run against a stolen backup, scrypt or not. */
export const MIN_PASSPHRASE_LENGTH = 12;

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

async function promptHidden(question: string): Promise<string> {
  // Writes the prompt, then swallows the echo of what is typed.
  let muted = false;
  const output = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

function missing(): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, "no passphrase on stdin", { details: { field: "passphrase" } });
}

/**
 * The passphrase that seals a backup's secrets, as `readNewPassword` reads passwords: from stdin
 * when it is not a terminal (`vigil backup F --with-secrets <passphrase-file`), else asked twice
 * without echo. Never from argv, where `ps` and shell history would keep it.
 */
export async function readNewPassphrase(): Promise<string> {
  let passphrase: string;
  if (!process.stdin.isTTY) {
    passphrase = await readAllStdin();
    if (passphrase.length === 0) throw missing();
  } else {
    passphrase = await promptHidden("backup passphrase: ");
    if ((await promptHidden("repeat it: ")) !== passphrase) throw new VigilError(ErrorCodes.VALIDATION, "the passphrases do not match", { details: { field: "passphrase" } });
  }
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new VigilError(ErrorCodes.VALIDATION, `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`, { details: { field: "passphrase" } });
  }
  return passphrase;
}

/** The passphrase of an existing backup: stdin when it is not a terminal, else asked once. */
export async function readPassphrase(): Promise<string> {
  const passphrase = process.stdin.isTTY ? await promptHidden("backup passphrase: ") : await readAllStdin();
  if (passphrase.length === 0) throw missing();
  return passphrase;
}
