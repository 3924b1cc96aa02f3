import { defineConfig } from "vitest/config";

// The build is served by medlake-server from the classpath at "/"; the server's
// Content-Security-Policy forbids inline scripts and styles, so everything is an external file.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // never inline assets as data: URLs (CSP default-src 'self')
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // the lazily loaded charts chunk (ECharts) is larger; scripts/check-bundle.mjs guards the first load
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite` during development: forward the API to a local `medlake serve`
    proxy: { "/api": "http://127.0.0.1:8080", "/health": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
