import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

/** The API server `npm run dev` starts; the dev server forwards API calls to it. */
const API_TARGET = "http://localhost:3001";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [vue()],
  define: {
    // Every component uses <script setup>: dropping the Options API makes the bundle smaller.
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/api": { target: API_TARGET },
      // ws: the live inbox will subscribe over graphql-ws on the same path.
      "/graphql": { target: API_TARGET, ws: true },
    },
  },
});
