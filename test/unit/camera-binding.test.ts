// Which camera a client certificate speaks for: pins by fingerprint or subject, else CN + OU.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bindCertificateToCamera,
  cameraBindingProblems,
  type CertificateFacts,
} from "../../src/auth/mtls/camera-binding.js";
import { parseDistinguishedName } from "../../src/auth/pki/distinguished-name.js";
import type { CameraConfig } from "../../src/config/schema.js";

const FP_A = "AA:".repeat(31) + "AA";
const FP_B = "BB:".repeat(31) + "BB";

type Camera = Pick<CameraConfig, "id" | "push">;
const cam = (id: string, client_cert?: { fingerprint_sha256?: string; subject?: string }): Camera => ({
  id,
  push: { auth: "either", ...(client_cert ? { client_cert } : {}) },
});
const facts = (subject: string, fingerprint = FP_A): CertificateFacts => ({
  fingerprint,
  subject: parseDistinguishedName(subject),
});

void describe("bindCertificateToCamera", () => {
  void it("binds a site camera certificate by default: CN is the camera id and OU is camera", () => {
    const cameras = [cam("lobby"), cam("dock")];
    assert.deepEqual(bindCertificateToCamera(facts("O=hq\nOU=camera\nCN=dock"), cameras), {
      cameraId: "dock",
      rule: "default",
    });
    assert.equal(bindCertificateToCamera(facts("O=hq\nOU=gateway\nCN=dock"), cameras), undefined, "OU must be camera");
    assert.equal(bindCertificateToCamera(facts("O=hq\nCN=dock"), cameras), undefined, "no OU at all");
    assert.equal(bindCertificateToCamera(facts("OU=camera\nCN=garage"), cameras), undefined, "no such camera");
    assert.equal(
      bindCertificateToCamera(facts("OU=camera\nCN=dock\nCN=lobby"), cameras),
      undefined,
      "two CNs are not an id",
    );
  });

  void it("binds by a pinned fingerprint in any case and with or without colons", () => {
    const cameras = [cam("lobby", { fingerprint_sha256: FP_B.toLowerCase().replaceAll(":", "") })];
    assert.deepEqual(bindCertificateToCamera(facts("CN=anything", FP_B), cameras), {
      cameraId: "lobby",
      rule: "fingerprint",
    });
    assert.equal(bindCertificateToCamera(facts("CN=anything", FP_A), cameras), undefined);
  });

  void it("binds by a pinned subject in any attribute order; with both pins both must match", () => {
    assert.deepEqual(
      bindCertificateToCamera(facts("O=vendor\nCN=AXIS-1234"), [cam("lobby", { subject: "CN=AXIS-1234, O=vendor" })]),
      { cameraId: "lobby", rule: "subject" },
    );
    const both = [cam("lobby", { subject: "CN=AXIS-1234,O=vendor", fingerprint_sha256: FP_B })];
    assert.equal(bindCertificateToCamera(facts("O=vendor\nCN=AXIS-1234", FP_A), both), undefined);
    assert.deepEqual(bindCertificateToCamera(facts("O=vendor\nCN=AXIS-1234", FP_B), both), {
      cameraId: "lobby",
      rule: "fingerprint+subject",
    });
  });

  void it("a pinned camera no longer accepts the default certificate, and pins win over the default", () => {
    const cameras = [cam("lobby", { fingerprint_sha256: FP_B }), cam("dock", { fingerprint_sha256: FP_A })];
    // CN says lobby, but lobby only takes FP_B; the certificate is FP_A, which dock pinned.
    assert.deepEqual(bindCertificateToCamera(facts("OU=camera\nCN=lobby", FP_A), cameras), {
      cameraId: "dock",
      rule: "fingerprint",
    });
    assert.equal(bindCertificateToCamera(facts("OU=camera\nCN=lobby", "CC:".repeat(31) + "CC"), cameras), undefined);
  });

  void it("a certificate pinned by two cameras binds to neither, and config check says so", () => {
    const cameras = [
      cam("lobby", { fingerprint_sha256: FP_A }),
      cam("dock", { fingerprint_sha256: FP_A.toLowerCase() }),
    ];
    assert.equal(bindCertificateToCamera(facts("CN=x", FP_A), cameras), undefined);
    assert.deepEqual(
      cameraBindingProblems(cameras).map((p) => p.path),
      ["cameras[1].push.client_cert.fingerprint_sha256"],
    );
  });

  void it("an unparseable pinned subject matches nothing and is reported", () => {
    const cameras = [cam("lobby", { subject: "lobby" })];
    assert.equal(bindCertificateToCamera(facts("CN=lobby\nOU=camera"), cameras), undefined);
    assert.deepEqual(
      cameraBindingProblems(cameras).map((p) => p.path),
      ["cameras[0].push.client_cert.subject"],
    );
    assert.deepEqual(cameraBindingProblems([cam("lobby"), cam("dock", {})]), []);
  });
});
