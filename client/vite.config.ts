import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { formatDocument } from "@urql/core";
import vue from "@vitejs/plugin-vue";
import { print, type DocumentNode } from "graphql";
import { defineConfig, type HtmlTagDescriptor, type Plugin, type Rolldown } from "vite";
import { FIRST_PAGE_PRELOAD_ATTRIBUTE, firstPageUrl } from "./src/composables/conversationListPrefetch.ts";
import { ConversationsDocument } from "./src/graphql/generated/graphql.ts";

/**
 * Writes `.br` and `.gz` next to each built text asset, compressed once at their best levels;
 * the server sends them to browsers that accept them (@fastify/static `preCompressed`).
 */
function precompress(): Plugin {
  return {
    name: "bharat-precompress",
    apply: "build",
    writeBundle(options) {
      const dir = options.dir!;
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(js|css|html|svg|json|webmanifest)$/.test(entry.name)) continue;
        const file = path.join(entry.parentPath, entry.name);
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

/** One typed document of the codegen output: `export const XDocument = {…AST…} as unknown as DocumentNode<…>;` */
const GENERATED_DOCUMENT = /^(export const \w+ = )(\{.*\})( as unknown as DocumentNode<.*>;)$/gm;

/**
 * Ships the codegen's typed documents as GraphQL text instead of syntax trees. Every document of
 * the app loads at start-up (the codegen's `graphql()` map holds them all), and building those
 * trees took V8 about 75 ms of a cold inbox on a busy 2-core machine; as text they cost nothing
 * until urql parses (and caches) the few a page executes. Types are unchanged, and no code of
 * ours reads a document's tree.
 */
function documentsAsText(): Plugin {
  return {
    name: "bharat-documents-as-text",
    apply: "build",
    // Before TypeScript is stripped: the pattern reads the `as unknown as DocumentNode` casts.
    enforce: "pre",
    transform: {
      filter: { id: /[\\/]graphql[\\/]generated[\\/]graphql\.ts$/ },
      handler(code) {
        const shipped = code.replace(GENERATED_DOCUMENT, (_line, head: string, tree: string, tail: string) => {
          const text = print(JSON.parse(tree) as DocumentNode);
          return `${head}${JSON.stringify(text)}${tail}`;
        });
        if (shipped.includes('{"kind":"Document"')) throw new Error("documentsAsText: the codegen output has a shape this plugin does not know");
        return shipped;
      },
    },
  };
}

/** The chunks `chunk` imports statically, itself included, transitively. */
function staticGraphOf(chunk: Rolldown.OutputChunk, bundle: Rolldown.OutputBundle): Rolldown.OutputChunk[] {
  const seen = new Map<string, Rolldown.OutputChunk>();
  const visit = (current: Rolldown.OutputChunk) => {
    if (seen.has(current.fileName)) return;
    seen.set(current.fileName, current);
    for (const imported of current.imports) {
      const next = bundle[imported];
      if (next?.type === "chunk") visit(next);
    }
  };
  visit(chunk);
  return [...seen.values()];
}

/**
 * The page agents land on (`/` redirects to the inbox) is lazy like every page, but index.html
 * preloads its chunks and CSS: they download alongside the entry script rather than after it
 * has run, which removed a whole round trip from the first screen. Nothing of it runs before
 * the router asks for it, and the chunks the entry loads anyway are not listed twice.
 */
function preloadLandingPage(page: string): Plugin {
  return {
    name: "bharat-preload-landing-page",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(_html, { bundle }) {
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((output): output is Rolldown.OutputChunk => output.type === "chunk");
        const entry = chunks.find((chunk) => chunk.isEntry);
        const landing = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(page));
        if (!entry || !landing) throw new Error(`preloadLandingPage: no chunk for ${page} in the build`);
        const loadedByEntry = new Set(staticGraphOf(entry, bundle).map((chunk) => chunk.fileName));
        const needed = staticGraphOf(landing, bundle).filter((chunk) => !loadedByEntry.has(chunk.fileName));
        const link = (attrs: Record<string, string | boolean>): HtmlTagDescriptor => ({ tag: "link", attrs, injectTo: "head" });
        return [
          ...needed.map((chunk) => link({ rel: "modulepreload", crossorigin: true, href: `/${chunk.fileName}` })),
          // As Vite's preload helper will request them (crossorigin), so that the preloads are used.
          ...needed.flatMap((chunk) => [...(chunk.viteMetadata?.importedCss ?? [])]).map((css) => link({ rel: "preload", as: "style", crossorigin: true, href: `/${css}` })),
        ];
      },
    },
  };
}

/** The HTML the server sends for the inbox's addresses (server/http/client.routes.ts: INBOX_HTML). */
const INBOX_HTML = "inbox.html";

/**
 * The inbox's own index.html: the same, plus a preload of the list's first page, so that its
 * query runs while the scripts download rather than once they have started and checked the
 * session (about 200 ms of a cold inbox on a busy 2-core machine). Only the inbox's HTML has
 * it: other pages would fetch a list they never show. As urql sends it (`__typename` added), so
 * the answer is the one the list would have received.
 */
function preloadInboxFirstPage(): Plugin {
  return {
    name: "bharat-preload-inbox-first-page",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const index = bundle["index.html"];
      if (index?.type !== "asset") throw new Error("preloadInboxFirstPage: no index.html in the build");
      const href = firstPageUrl(print(formatDocument(ConversationsDocument)));
      const link = `<link rel="preload" href="${href.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}" as="fetch" crossorigin ${FIRST_PAGE_PRELOAD_ATTRIBUTE}>`;
      const html = String(index.source);
      if (!html.includes("</head>")) throw new Error("preloadInboxFirstPage: index.html has no </head>");
      this.emitFile({ type: "asset", fileName: INBOX_HTML, source: html.replace("</head>", `  ${link}\n  </head>`) });
    },
  };
}

/** The API server `npm run dev` starts; the dev server forwards API calls to it. */
const API_TARGET = "http://localhost:3001";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [vue(), documentsAsText(), preloadLandingPage("/src/pages/InboxPage.vue"), preloadInboxFirstPage(), precompress()],
  define: {
    // Every component uses <script setup>: dropping the Options API makes the bundle smaller.
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      // Its "plugins took 84% of the build" notice is for bundler authors; on a busy machine it
      // printed at every `npm start`, just above the first admin's password.
      checks: { bundlerTimings: false },
      output: {
        codeSplitting: {
          // What more than one chunk needs goes into one "common" chunk (with the libraries it
          // uses) rather than a dozen small ones: the browser opens six connections per server,
          // and a cold inbox waited for the last few files queued behind them.
          groups: [{ name: "common", test: /[\\/]client[\\/]src[\\/]/, minShareCount: 2 }],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: API_TARGET },
      // ws: the live inbox will subscribe over graphql-ws on the same path.
      "/graphql": { target: API_TARGET, ws: true },
    },
  },
});
