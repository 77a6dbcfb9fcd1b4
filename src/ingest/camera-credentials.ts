import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { readSecretFile } from "../config/secrets.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** `user:password` as given inline at camera add; one line, no NUL. */
export const InlineCredentialsSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  pattern: "^[^\\r\\n\\x00]+$",
  description: "user:password; written to a 0600 file in secrets_dir, never stored or logged",
});

/** The file Vigil writes inline credentials of camera `id` to; its own name space in secrets_dir. */
export function managedCredentialsFile(cameraId: string): string {
  return `camera-${cameraId}.cred`;
}

/**
 * Camera credentials files in secrets_dir: read through the same search path as the supervisor
 * (systemd's credentials directory, then secrets_dir), written only for credentials given inline
 * (always to secrets_dir itself, mode 0600, atomically), removed only when Vigil wrote them.
 */
export class CameraCredentials {
  constructor(
    private readonly secretsDir: string,
    private readonly searchPath: readonly string[],
  ) {}

  read(file: string | undefined): Promise<string | undefined> {
    return file === undefined ? Promise.resolve(undefined) : readSecretFile(this.searchPath, file);
  }

  async write(cameraId: string, credentials: string): Promise<string> {
    const name = managedCredentialsFile(cameraId);
    try {
      await writeFileAtomic(join(this.secretsDir, name), `${credentials}\n`, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new VigilError(
        ErrorCodes.CREDENTIALS_NOT_WRITABLE,
        `cannot write camera credentials to ${this.secretsDir} (${code}); under the systemd unit secrets_dir is read-only to the daemon: write the file there yourself (mode 0600) and pass credentials_file, or use \`vigil camera add\` which writes it as the installer`,
        { cause: err },
      );
    }
    return name;
  }

  async remove(file: string): Promise<void> {
    await rm(join(this.secretsDir, file), { force: true });
  }
}
