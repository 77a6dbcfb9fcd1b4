/**
 * The TLS floor for every listener Vigil serves: TLS 1.2 or newer, forward-secret AEAD suites
 * only (Mozilla's "intermediate" list), which old camera firmware still speaks and nothing weak.
 */
export const MIN_TLS_VERSION = "TLSv1.2" as const;

export const TLS_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");
