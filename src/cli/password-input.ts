import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { ErrorCodes, VigilError } from "../core/errors.js";

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
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

/**
 * A secret a person types (a password, a backup passphrase): from stdin when it is not a
 * terminal (scripts: `printf %s "$PW" | vigil ...`), else asked without echo, twice when
 * `confirm`. Never from argv, where `ps` and shell history would keep it.
 */
export async function readHiddenInput(opts: {
  label: string;
  field: string;
  confirm: boolean;
  prompt?: string;
}): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = await readAllStdin();
    if (text.length === 0)
      throw new VigilError(ErrorCodes.VALIDATION, `no ${opts.label} on stdin`, { details: { field: opts.field } });
    return text;
  }
  const first = await promptHidden(`${opts.prompt ?? opts.label}: `);
  if (opts.confirm && (await promptHidden("repeat it: ")) !== first) {
    throw new VigilError(ErrorCodes.VALIDATION, `the ${opts.label}s do not match`, { details: { field: opts.field } });
  }
  if (first.length === 0)
    throw new VigilError(ErrorCodes.VALIDATION, `no ${opts.label} given`, { details: { field: opts.field } });
  return first;
}

/** A new password for `vigil user add|reset-password`. */
export function readNewPassword(): Promise<string> {
  return readHiddenInput({ label: "password", prompt: "new password", field: "password", confirm: true });
}
