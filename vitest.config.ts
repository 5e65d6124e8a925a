import { availableParallelism } from "node:os";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

/**
 * Suites: server (real SQLite files, real HTTP on port 0), client components (happy-dom),
 * browser tests (the built client in Debian's Chromium; `npm run build` first), and cluster
 * (several instances with Redis; `npm run test:cluster`).
 */
export default defineConfig({
  test: {
    // Our tests mostly wait (real servers, real timers, Chromium) rather than compute: Vitest's
    // default of one file less than the cores ran them one at a time on a 2-core machine. Two at
    // once took the server suite from 311 s to 190 s there, with every test passing.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        // Our code must load the same graphql build as Pothos and Yoga (CommonJS), or
        // graphql-js refuses to mix their types ("from another module or realm").
        resolve: { alias: { graphql: "graphql/index.js" } },
        test: {
          name: "server",
          environment: "node",
          include: ["server/**/*.test.ts"],
          exclude: ["server/**/*.cluster.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        // Several instances: Redis (and later PostgreSQL) from Debian's packages (`npm run test:cluster`).
        resolve: { alias: { graphql: "graphql/index.js" } },
        test: {
          name: "cluster",
          environment: "node",
          include: ["server/**/*.cluster.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Several instances and timing measurements: one file at a time.
          fileParallelism: false,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: "client",
          environment: "happy-dom",
          include: ["client/src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["e2e/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
