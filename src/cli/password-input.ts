import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { ErrorCodes, VigilError } from "../core/errors.js";

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
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
 * A password for `vigil user add|reset-password`: from stdin when it is not a terminal (scripts:
 * `printf %s "$PW" | vigil user add ...`), else asked twice without echo. Never from argv, where
 * `ps` and shell history would keep it.
 */
export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = (await readAllStdin()).replace(/\r?\n$/, "");
    if (text.length === 0) throw new VigilError(ErrorCodes.VALIDATION, "no password on stdin", { details: { field: "password" } });
    return text;
  }
  const first = await promptHidden("new password: ");
  const second = await promptHidden("repeat it: ");
  if (first !== second) throw new VigilError(ErrorCodes.VALIDATION, "the passwords do not match", { details: { field: "password" } });
  return first;
}
