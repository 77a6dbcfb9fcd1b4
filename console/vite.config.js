// The console's build: Preact through its Vite preset, one entry, fingerprinted files under
// dist/console/assets (the daemon caches them as immutable), no inline script (strict CSP), no
// source of another origin. Chart code is split off by the KPI page's dynamic import.
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [preact()],
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    sourcemap: false,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
