/**
 * Scenario 7 — the client. (a) What the inbox page makes a browser download: the JS and CSS files
 * Chromium actually loaded for /inbox, gzip-compressed (level 9) from client/dist; baseline: all of
 * client/dist's JS and CSS. (b) Time to render the inbox for a workspace of 1,000 conversations:
 * from navigation start to the first frame showing the list's first page, in headless Chromium
 * (Debian's, via playwright-core; a fresh browser context per run, so a cold cache); baseline: the
 * same page for an empty workspace. Falls back to the contacts page if /inbox has no list yet.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../../e2e/browser.ts";
import { ADMIN, EMPTY_AGENT } from "../fixtures.ts";
import { makeWorkdir, REPO_ROOT, waitForQuiet } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import type { Scenario, ScenarioContext } from "./context.ts";

const DIST = path.join(REPO_ROOT, "client", "dist");
const KB = 1024;
/** The inbox's first page (client/src/composables/conversationListPrefetch.ts: CONVERSATIONS_PAGE_SIZE). */
const INBOX_PAGE = 30;

type StorageState = Awaited<ReturnType<Awaited<ReturnType<Browser["newContext"]>>["storageState"]>>;

interface Page {
  path: string;
  /** Runs in the page at each frame: performance.now() once the page shows what it should, else 0. */
  ready: (expected: number) => number;
  expected: number;
}

// Serialised into the page by Playwright: self-contained, no closures. They run at every frame, so
// they must not force a layout (innerText does): that would slow down the page they measure.
const INBOX: Page = {
  path: "/inbox",
  ready: (expected) => (document.querySelectorAll('[role="listbox"] [role="option"]').length >= expected ? performance.now() : 0),
  expected: INBOX_PAGE,
};
const EMPTY_INBOX: Page = { path: "/inbox", ready: () => ((document.body.textContent ?? "").includes("Messages customers send to your WhatsApp number appear here") ? performance.now() : 0), expected: 0 };
const CONTACTS: Page = { path: "/contacts", ready: (expected) => (document.querySelectorAll("ul.grid > li").length >= expected ? performance.now() : 0), expected: 1 };
const EMPTY_CONTACTS: Page = { path: "/contacts", ready: () => ((document.body.textContent ?? "").includes("Add your first contact") ? performance.now() : 0), expected: 0 };

function ensureBuild(context: ScenarioContext) {
  if (existsSync(path.join(DIST, "index.html"))) return;
  context.log("client: client/dist is missing — npm run build (output on stderr)");
  const build = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: ["ignore", 2, 2], timeout: 300_000 });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status ?? build.signal})`);
}

async function sessionOf(browser: Browser, url: string, user: { email: string; password: string }): Promise<StorageState> {
  const context = await browser.newContext();
  try {
    const response = await context.request.post(`${url}/api/auth/login`, { data: { email: user.email, password: user.password } });
    if (!response.ok()) throw new Error(`Login as ${user.email} answered ${response.status()}`);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/**
 * One visit in a fresh context (cold: empty cache, new connections), then a reload (warm: cached
 * assets, as an agent's next visit): ms from navigation start to the first frame where `page.ready`
 * holds, and the assets the cold visit loaded.
 */
async function visit(browser: Browser, url: string, state: StorageState, page: Page, timeoutMs = 30_000) {
  const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 800 } });
  try {
    const tab = await context.newPage();
    const assets: Array<{ path: string; encoding: string | null }> = [];
    tab.on("response", (response) => {
      const { pathname } = new URL(response.url());
      if (/\.(js|css)$/.test(pathname)) assets.push({ path: pathname, encoding: response.headers()["content-encoding"] ?? null });
    });
    await tab.goto(`${url}${page.path}`, { waitUntil: "commit" });
    const cold = await (await tab.waitForFunction(page.ready, page.expected, { polling: "raf", timeout: timeoutMs })).jsonValue();
    await tab.reload({ waitUntil: "commit" });
    const warm = await (await tab.waitForFunction(page.ready, page.expected, { polling: "raf", timeout: timeoutMs })).jsonValue();
    return { cold, warm, assets };
  } finally {
    await context.close();
  }
}

const gzipKb = (files: string[]) => files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0) / KB;

export const clientScenario: Scenario = async (context) => {
  const { sizes } = context;
  ensureBuild(context);
  const work = makeWorkdir("client");
  const conversations = sizes.client.conversations;
  await seedDatabase(`file:${work.dir}/${PRODUCT_DATABASE_FILE}`, { conversations, messages: conversations * 5, contactShare: 1, emptyWorkspace: true });
  const product = await startProductServer({ name: "client", dir: work.dir, profileDir: context.profileDir });
  context.addProfile(product);
  const browser = await launchBrowser();
  const raw: unknown[] = [];
  try {
    const full = await sessionOf(browser, product.url, ADMIN);
    const empty = await sessionOf(browser, product.url, EMPTY_AGENT);
    let [page, emptyPage, fallback] = [INBOX, EMPTY_INBOX, false];
    const first = await visit(browser, product.url, full, INBOX).catch(() => null);
    if (!first) {
      context.log("client: /inbox shows no conversation list — measuring the contacts page with 1,000 contacts instead");
      [page, emptyPage, fallback] = [CONTACTS, EMPTY_CONTACTS, true];
      await visit(browser, product.url, full, page);
    }

    const rendered = { cold: [] as number[], warm: [] as number[] };
    const emptyRendered = { cold: [] as number[], warm: [] as number[] };
    let assets: Array<{ path: string; encoding: string | null }> = [];
    for (let run = 0; run < sizes.runs; run++) {
      for (const which of run % 2 === 0 ? (["full", "empty"] as const) : (["empty", "full"] as const)) {
        await waitForQuiet(product.pid);
        const result = which === "full" ? await visit(browser, product.url, full, page) : await visit(browser, product.url, empty, emptyPage);
        const into = which === "full" ? rendered : emptyRendered;
        into.cold.push(result.cold);
        into.warm.push(result.warm);
        if (which === "full" && run === 0) assets = result.assets;
        raw.push({ which, run, coldMs: result.cold, warmMs: result.warm });
        context.log(`client: ${which === "full" ? `${conversations} conversations` : "empty workspace"} run ${run + 1}/${sizes.runs}: cold ${result.cold.toFixed(0)} ms, warm ${result.warm.toFixed(0)} ms`);
      }
    }

    const loaded = [...new Set(assets.map((asset) => path.join(DIST, asset.path)))];
    const pageFiles = loaded.filter((file) => existsSync(file));
    const gone = loaded.length - pageFiles.length;
    const allFiles = readdirSync(path.join(DIST, "assets"))
      .filter((name) => /\.(js|css)$/.test(name))
      .map((name) => path.join(DIST, "assets", name));
    const compressed = assets.some((asset) => asset.encoding);
    raw.push({ page: page.path, files: pageFiles.map((file) => path.relative(DIST, file)), servedCompressed: compressed });
    const what = fallback ? "contacts page (inbox not built yet)" : "inbox";
    context.addFigure({
      scenario: "7 client",
      figure: `${what} JS+CSS, gzip -9`,
      unit: "KB",
      runs: [gzipKb(pageFiles)],
      baseline: { label: "whole client", runs: [gzipKb(allFiles)] },
      target: { op: "<=", value: 150 },
      note: `${pageFiles.length} files${compressed ? "" : "; the server sends them uncompressed"}${gone > 0 ? `; ${gone} loaded files gone from client/dist (rebuilt during the run?)` : ""}`,
    });
    for (const cache of ["cold", "warm"] as const) {
      context.addFigure({
        scenario: "7 client",
        figure: `${fallback ? `time to render contacts page, ${conversations.toLocaleString("en-US")} contacts` : `time to render inbox, ${conversations.toLocaleString("en-US")} conversations`}, ${cache}`,
        unit: "ms",
        runs: rendered[cache],
        baseline: { label: "empty workspace", runs: emptyRendered[cache] },
        target: { op: "<=", value: 500 },
        note: fallback ? "FALLBACK: /inbox had no list" : cache === "cold" ? `new browser context, until the first ${INBOX_PAGE} rows show` : "reload, cached assets",
      });
    }
  } finally {
    context.addRaw({ runs: raw });
    await browser.close();
    await product.stop();
    work.remove();
  }
};
