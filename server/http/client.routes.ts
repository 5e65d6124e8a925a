import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export const CLIENT_DIST = path.resolve(import.meta.dirname, "../../client/dist");

const ASSETS_DIR = path.join(CLIENT_DIST, "assets") + path.sep;

/**
 * The inbox's addresses get the build's inbox.html: index.html plus a preload of the list's first
 * page, so its query runs while the scripts download (client/vite.config.ts).
 */
const INBOX_PAGES = /^\/inbox(\/|\?|$)/;
const INBOX_HTML = "inbox.html";

/** Paths that are never a page of the app: an unknown one is a 404, not index.html. */
const NOT_PAGES = /^\/(api|graphql|assets|icons)(\/|$)/;

/**
 * Serves the built Vue client, and its index.html for any other GET so that deep links
 * (/contacts/123) survive a reload. API paths and unknown assets answer a JSON 404.
 */
export async function registerClientRoutes(app: FastifyInstance) {
  const hasBuild = existsSync(path.join(CLIENT_DIST, "index.html"));
  const hasInboxHtml = existsSync(path.join(CLIENT_DIST, INBOX_HTML));
  if (hasBuild) {
    await app.register(fastifyStatic, {
      root: CLIENT_DIST,
      wildcard: false,
      index: false,
      // Brotli or gzip files written by the build: compressed once, not per request.
      preCompressed: true,
      cacheControl: false,
      setHeaders(response, file) {
        // Vite names assets by their content: a changed file is a new URL, so they never go stale.
        if (file.startsWith(ASSETS_DIR)) response.setHeader("cache-control", "public, max-age=31536000, immutable");
        else response.setHeader("cache-control", "no-cache");
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    // A missing asset (a chunk of an older build, asked for by a tab opened before a deploy) must
    // fail as such: index.html in its place fails later as a module script of the wrong type.
    if (request.method !== "GET" || NOT_PAGES.test(request.url)) {
      return reply.status(404).send({ success: false, error: `No route for ${request.method} ${request.url.split("?")[0]}` });
    }
    if (!hasBuild) return reply.status(503).type("text/plain").send("The client is not built: run `npm run build`.");
    return reply.sendFile(hasInboxHtml && INBOX_PAGES.test(request.url) ? INBOX_HTML : "index.html");
  });
}
