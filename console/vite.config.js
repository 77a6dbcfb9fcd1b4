// The console's build: Preact through its Vite preset, one entry, fingerprinted files under
// dist/console/assets (the daemon caches them as immutable), no inline script (strict CSP), no
// source of another origin. Chart code is split off by the KPI page's dynamic import.
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/**
 * @cycjimmy/jsmpeg-player injects a <style> element when imported, for its VideoElement overlay
 * (unused: the live view drives JSMpeg.Player on its own canvas). The strict CSP would refuse that
 * inline style, so the call is dropped at build time; the build fails if the package changes it.
 */
const jsmpegWithoutInlineStyle = {
  name: "jsmpeg-without-inline-style",
  transform(code, id) {
    if (!id.includes("@cycjimmy/jsmpeg-player")) return null;
    const call = "styleInject(css_248z);";
    if (!code.includes(call))
      throw new Error(`${id}: no ${call} to drop; check the live view's CSP against this jsmpeg-player version`);
    return { code: code.replace(call, ""), map: null };
  },
};

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [preact(), jsmpegWithoutInlineStyle],
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
