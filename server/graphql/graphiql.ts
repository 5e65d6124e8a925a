import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import type { GraphiQLOptions } from "graphql-yoga";

type Bundle = typeof import("@graphql-yoga/render-graphiql/graphiql");

const require = createRequire(import.meta.url);
const { version } = require("@graphql-yoga/render-graphiql/package.json") as { version: string };

/**
 * GraphiQL's files, served by us from @graphql-yoga/render-graphiql: no CDN, so it works offline
 * and under the same strict content security policy as the client. The package's version is in
 * the path, so the 9 MB of editor is cached for good and a new version is a new URL.
 */
export const GRAPHIQL_ASSETS = `/graphql/graphiql/${version}`;

const JS = "text/javascript; charset=utf-8";
const ASSETS = new Map<string, { type: string; body: (bundle: Bundle) => string | Buffer }>([
  ["graphiql.js", { type: JS, body: (bundle) => bundle.js }],
  ["graphiql.css", { type: "text/css; charset=utf-8", body: (bundle) => bundle.css }],
  ["editor.worker.js", { type: JS, body: (bundle) => bundle.editorWorkerService }],
  ["json.worker.js", { type: JS, body: (bundle) => bundle.jsonWorker }],
  ["graphql.worker.js", { type: JS, body: (bundle) => bundle.graphqlWorker }],
  ["favicon.ico", { type: "image/x-icon", body: (bundle) => Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(",") + 1), "base64") }],
]);

// Loaded on first use only: its 9 MB of source would otherwise be parsed at every start.
let bundle: Promise<Bundle> | undefined;
const loadBundle = () => (bundle ??= import("@graphql-yoga/render-graphiql/graphiql"));

const START_SCRIPT = new URL("./graphiql-start.js", import.meta.url);

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);

/** GraphiQL's page: files of this server only, no inline script; the options ride in a JSON block. */
export function renderGraphiQLPage(options: GraphiQLOptions): string {
  // `<` escaped: the JSON cannot close its script element, whatever a title or header holds.
  const json = JSON.stringify(options).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? "GraphiQL")}</title>
<link rel="icon" href="${GRAPHIQL_ASSETS}/favicon.ico">
<link rel="stylesheet" href="${GRAPHIQL_ASSETS}/graphiql.css">
<script src="${GRAPHIQL_ASSETS}/start.js"></script>
<script src="${GRAPHIQL_ASSETS}/graphiql.js" defer></script>
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script type="application/json" id="graphiql-options">${json}</script>
</body>
</html>
`;
}

/** Serves GraphiQL's files under GRAPHIQL_ASSETS (development only, like the page). */
export function registerGraphiQLAssets(app: FastifyInstance) {
  app.get<{ Params: { file: string } }>(`${GRAPHIQL_ASSETS}/:file`, async (request, reply) => {
    const { file } = request.params;
    if (file === "start.js") {
      // Our own file, which changes without the package's version: revalidated each time.
      return reply.type(JS).header("cache-control", "no-cache").send(await readFile(START_SCRIPT));
    }
    const asset = ASSETS.get(file);
    if (!asset) return reply.status(404).send({ success: false, error: `No GraphiQL file ${file}` });
    return reply.type(asset.type).header("cache-control", "private, max-age=31536000, immutable").send(asset.body(await loadBundle()));
  });
}
