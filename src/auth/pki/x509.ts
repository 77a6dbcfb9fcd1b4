// tsyringe (the DI container inside @peculiar/x509) needs the Reflect metadata API at load time;
// ESM evaluates imports in order, so the polyfill is in place before the library loads.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// Node's own WebCrypto, set explicitly rather than relying on the library finding a global.
x509.cryptoProvider.set(webcrypto);

/** @peculiar/x509, ready to use; every PKI module imports it from here, never directly. */
export { x509 };
