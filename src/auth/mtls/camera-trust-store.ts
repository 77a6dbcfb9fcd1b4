import type { X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import type { Server, TlsOptions, TLSSocket } from "node:tls";
import type { VigilConfig } from "../../config/schema.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import { normaliseSerial } from "../pki/fingerprint.js";
import type { RevocationCheck } from "./identify-camera.js";
import {
  parseTrustMaterial,
  readTrustFiles,
  secureContextOptions,
  type TrustFiles,
  trustDigest,
  type TrustMaterial,
} from "./trust-material.js";

export interface CameraTrustStoreOptions {
  /** Where relative file names point (config `certs_dir`). */
  readonly certsDir: string;
  /** `http.camera_tls`: cert, key, ca, crl (relative to certsDir, or absolute) and reload_interval_s. */
  readonly tls: Pick<VigilConfig["http"]["camera_tls"], "cert" | "key" | "ca" | "crl" | "reload_interval_s">;
  readonly log: Logger;
}

export interface CameraTrustStatus {
  readonly caNotAfter: string[];
  readonly serverNotAfter: string;
  readonly crlNextUpdate: string | undefined;
  readonly revoked: number;
  readonly connections: number;
  readonly lastReloadAt: string | undefined;
  readonly lastError: string | undefined;
}

/**
 * What the camera HTTPS listener trusts: its own certificate and key, the site CA and its CRL,
 * from certs_dir. The files are checked every `reload_interval_s`; a change is applied to every
 * attached server (`setSecureContext`, for new handshakes) and to the connections already open:
 * one whose certificate is now revoked, or no longer issued by a trusted CA, is closed, so a
 * revocation also cuts a camera that holds a keep-alive connection. A reload that fails (a file
 * half-replaced by hand, a key that does not fit) keeps the last good material and is retried.
 */
export class CameraTrustStore implements Component, RevocationCheck {
  readonly name = "camera-trust";
  private readonly files: TrustFiles;
  private material: TrustMaterial | undefined;
  private readonly servers = new Set<Server>();
  private readonly connections = new Map<TLSSocket, X509Certificate>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private failedState: string | undefined;
  private lastReloadAt: Date | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: CameraTrustStoreOptions) {
    const at = (file: string): string => resolve(options.certsDir, file);
    this.files = {
      cert: at(options.tls.cert),
      key: at(options.tls.key),
      ca: at(options.tls.ca),
      crl: at(options.tls.crl),
    };
  }

  /** Loads the files; a missing or unusable CA, certificate or key is a config error (exit 78). */
  async start(): Promise<void> {
    this.material = await parseTrustMaterial(this.files, await readTrustFiles(this.files));
    this.lastReloadAt = new Date();
    this.timer = setInterval(() => void this.poll(), this.options.tls.reload_interval_s * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.servers.clear();
    this.connections.clear();
  }

  /** Options for `https.createServer` / `tls.createServer`; the app answers an untrusted client itself. */
  tlsOptions(): TlsOptions {
    return { ...secureContextOptions(this.current().files), requestCert: true, rejectUnauthorized: false };
  }

  /** Follows a server's connections so reloads reach them; call once per server. */
  attach(server: Server): void {
    this.servers.add(server);
    server.on("secureConnection", (socket: TLSSocket) => {
      const peer = socket.getPeerX509Certificate();
      if (!peer) return;
      this.connections.set(socket, peer);
      socket.once("close", () => this.connections.delete(socket));
    });
    server.once("close", () => this.servers.delete(server));
  }

  isRevoked(serial: string): boolean {
    return this.material?.revoked.has(normaliseSerial(serial)) ?? false;
  }

  /** Open connections presenting a certificate, optionally only those of one serial. */
  openConnections(serial?: string): number {
    if (serial === undefined) return this.connections.size;
    const wanted = normaliseSerial(serial);
    return [...this.connections.values()].filter((peer) => normaliseSerial(peer.serialNumber) === wanted).length;
  }

  status(): CameraTrustStatus {
    const m = this.current();
    return {
      caNotAfter: m.authorities.map((ca) => new Date(ca.validTo).toISOString()),
      serverNotAfter: m.serverNotAfter.toISOString(),
      crlNextUpdate: m.crlNextUpdate?.toISOString(),
      revoked: m.revoked.size,
      connections: this.connections.size,
      lastReloadAt: this.lastReloadAt?.toISOString(),
      lastError: this.lastError,
    };
  }

  /**
   * Reads the files now and applies them if they changed; returns whether they did. Throws, and
   * keeps the old material, when the new files are unusable. The periodic poll uses this too.
   */
  async reload(): Promise<boolean> {
    const bytes = await readTrustFiles(this.files);
    if (trustDigest(bytes) === this.current().digest) return false;
    this.apply(await parseTrustMaterial(this.files, bytes));
    return true;
  }

  private apply(next: TrustMaterial): void {
    this.material = next;
    this.lastReloadAt = new Date();
    this.lastError = undefined;
    this.failedState = undefined;
    for (const server of this.servers) server.setSecureContext(secureContextOptions(next.files));
    const closed = this.closeDistrusted(next);
    this.options.log.info(
      { revoked: next.revoked.size, closed, servers: this.servers.size },
      "camera TLS trust reloaded",
    );
  }

  private closeDistrusted(material: TrustMaterial): number {
    let closed = 0;
    for (const [socket, peer] of this.connections) {
      const revoked = material.revoked.has(normaliseSerial(peer.serialNumber));
      const issued = material.authorities.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey));
      if (revoked || !issued) {
        this.options.log.warn(
          {
            serial: normaliseSerial(peer.serialNumber),
            fingerprint: peer.fingerprint256,
            reason: revoked ? "revoked" : "untrusted",
          },
          "closing camera connection",
        );
        socket.destroy();
        this.connections.delete(socket);
        closed++;
      }
    }
    return closed;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    let state: string | undefined;
    try {
      const bytes = await readTrustFiles(this.files);
      state = trustDigest(bytes);
      // Unchanged, or the same broken files as last time: nothing to do until they change again.
      if (state === this.current().digest || state === this.failedState) return;
      this.apply(await parseTrustMaterial(this.files, bytes));
    } catch (err) {
      state ??= `unreadable: ${(err as Error).message}`;
      this.lastError = (err as Error).message;
      // Logged once per broken state, not every interval; the last good material stays in force.
      if (state !== this.failedState)
        this.options.log.error({ err }, "camera TLS files changed but cannot be used; keeping the previous ones");
      this.failedState = state;
    } finally {
      this.polling = false;
    }
  }

  private current(): TrustMaterial {
    if (!this.material) throw new VigilError(ErrorCodes.INTERNAL, "the camera trust store is used before start()");
    return this.material;
  }
}
