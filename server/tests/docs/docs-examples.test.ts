/**
 * Every example in README.md and docs/ runs as written, against the real server wired to the
 * Cloud API simulator, and every relative link leads somewhere. Substitutions are mechanical:
 *
 * - `http://localhost:3001` / `ws://localhost:3001` → the test server; `http://localhost:4010`
 *   → the simulator; `$TOKEN` and `process.env.TOKEN` → an API token of the workspace.
 * - GraphQL: each operation of a ```graphql block is validated against the schema, and queries
 *   and mutations are executed; a string argument or input field holding `…` is replaced by the
 *   id that argument names (`conversationId`, `labelId`, `conversation.id`… — see FIXTURES; an
 *   argument without a fixture fails the test, so a new example gets one).
 * - bash: each `curl` command runs in bash (with `<contact id>`-style placeholders replaced the
 *   same way) and must answer 2xx without GraphQL `errors`; a following `# → {json}` line is the
 *   answer's shape — the same keys, all the way down. `NAME=value` lines must be valid settings, `npm run` scripts
 *   must exist.
 * - js: the script runs under this Node with the project's packages and must print a message
 *   the simulator's customer sends.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseEnv, promisify } from "node:util";
import { Kind, parse, print, validate, visit, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { schema } from "../../graphql/schema.ts";
import { ADMIN_API_TOKEN, graphql, rest } from "../support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";
import { anchors, codeBlocks, links, type CodeBlock } from "./markdown.ts";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const DOCS = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];
const LINKED = [...DOCS, "bench/README.md"];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const blocks = (language: string) => DOCS.flatMap((file) => codeBlocks(file, read(file))).filter((block) => block.language === language);
const where = (block: CodeBlock) => `${block.file}:${block.line} (${block.section})`;
const ENV_EXAMPLE = parseEnv(read(".env.example"));

// The demo signs in as the README says, so the login example runs as written.
const DEMO_ADMIN = { ADMIN_EMAIL: "demo@bharat-crm.local", ADMIN_PASSWORD: "demo-password" };
const CUSTOMER = { phone: "98765 43210", waId: "919876543210", name: "Priya Sharma" };

describe("the README", () => {
  it("is a front door: at most 150 lines, opening with the two commands", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(150);
    const first = codeBlocks("README.md", readme)[0].code;
    expect(first).toMatch(/^npm install && npm start\b/m);
    expect(first).toMatch(/^npm install && npm test\b/m);
  });

  it("gives the demo's verify token, app secret and login, as server/demo.ts sets them", () => {
    const demo = read("server/demo.ts");
    const readme = read("README.md");
    for (const name of ["WHATSAPP_WEBHOOK_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "ADMIN_EMAIL", "ADMIN_PASSWORD"]) {
      const value = new RegExp(`${name}: "([^"]+)"`).exec(demo)?.[1];
      expect(value, `${name} in server/demo.ts`).toBeTruthy();
      expect(readme, `the demo's ${name}`).toContain(`\`${value}\``);
    }
  });
});

describe("links", () => {
  it.each(LINKED)("every relative link in %s leads to an existing file and heading", (file) => {
    const broken: string[] = [];
    for (const link of links(file, read(file))) {
      if (/^[a-z]+:/i.test(link.target)) continue;
      const [target, anchor] = link.target.split("#");
      const resolved = target ? path.join(path.dirname(file), target) : file;
      if (!existsSync(path.join(ROOT, resolved))) {
        broken.push(`${file}:${link.line} ${link.target}: no such file`);
      } else if (anchor && !(resolved.endsWith(".md") && anchors(read(resolved)).has(anchor))) {
        broken.push(`${file}:${link.line} ${link.target}: no such heading`);
      } else if (anchor === undefined && statSync(path.join(ROOT, resolved)).isDirectory()) {
        broken.push(`${file}:${link.line} ${link.target}: a folder`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("settings", () => {
  it("documents every variable of .env.example in the configuration table, with the same default", () => {
    const rows = read("docs/configuration.md").split("\n").filter((line) => line.startsWith("| `"));
    for (const [name, value] of Object.entries(ENV_EXAMPLE)) {
      const row = rows.find((line) => line.split("|")[1].includes(`\`${name}\``));
      expect(row, `a row for ${name} in docs/configuration.md`).toBeTruthy();
      if (value) expect(row!.split("|")[2], `the default of ${name}`).toContain(`\`${value}\``);
    }
  });

  it("has .env.example agree with the README on the first admin's email, and load as it is", () => {
    const readmeRow = read("README.md").split("\n").find((line) => line.startsWith("| `ADMIN_EMAIL`"));
    expect(readmeRow).toContain(`\`${ENV_EXAMPLE.ADMIN_EMAIL}\``);
    expect(() => loadConfig(ENV_EXAMPLE)).not.toThrow();
  });

  it("accepts every setting a shell example assigns, and every npm script it names exists", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
    for (const block of blocks("bash")) {
      for (const line of block.code.split("\n")) {
        for (const match of line.matchAll(/\bnpm run ([\w:-]+)/g)) expect(scripts, `${where(block)}: npm run ${match[1]}`).toContain(match[1]);
        if (!/^[A-Z][A-Z0-9_]*=/.test(line)) continue;
        const assigned = Object.fromEntries(
          [...line.replace(/\s#.*$/, "").matchAll(/([A-Z][A-Z0-9_]*)=('[^']*'|"[^"]*"|\S+)/g)].map(([, name, value]) => [name, value.replace(/^['"]|['"]$/g, "")]),
        );
        const settings = Object.fromEntries(Object.entries(assigned).filter(([name]) => name in ENV_EXAMPLE));
        expect(() => loadConfig(settings), `${where(block)}: ${line}`).not.toThrow();
      }
    }
  });
});

describe("the examples, against a running server", () => {
  let whatsapp: SimulatedWhatsApp;
  let fixtures: Record<string, string>;
  let workDir: string;

  beforeAll(async () => {
    whatsapp = await startWithSimulator(DEMO_ADMIN);
    const server = whatsapp.server;
    const created = await graphql(server, `mutation { createContact(input: {name: "${CUSTOMER.name}", whatsappNumber: "${CUSTOMER.phone}"}) {
      ... on MutationCreateContactSuccess { contact { id } } } }`);
    const contactId = created.data.createContact.contact.id as string;
    await whatsapp.simulator.sendInbound({ from: CUSTOMER.waId, name: CUSTOMER.name, type: "text", text: "Hello! Is my order shipped?" });
    const conversationId = await eventually(async () => {
      const { data } = await graphql(server, "{ conversations(first: 1) { edges { node { id } } } }");
      return data.conversations.edges[0]?.node.id as string | undefined;
    }, "the customer's conversation");
    const history = await graphql(server, `{ messages(conversationId: "${conversationId}", last: 1) { edges { node { id wamid } } } }`);
    const message = { conversationId, messageId: history.data.messages.edges[0].node.id as string, wamid: history.data.messages.edges[0].node.wamid as string };
    const viewer = await graphql(server, "{ viewer { id } }");
    const label = await graphql(server, `mutation { createLabel(input: {name: "Docs", color: "#123456"}) { ... on MutationCreateLabelSuccess { label { id } } } }`);
    const note = await graphql(server, `mutation { addConversationNote(conversationId: "${message.conversationId}", body: "Docs") {
      ... on MutationAddConversationNoteSuccess { note { id } } } }`);
    const campaign = await graphql(server, `mutation { createCampaign(input: {name: "Docs", templateName: "order_update", languageCode: "en",
      audience: {contactIds: "${contactId}"}, bodyParameters: [{contactField: \"firstName\"}, {text: "#1"}]}) { ... on MutationCreateCampaignSuccess { campaign { id } } } }`);
    // The preview needs a draft: the one above is cancelled by an earlier example.
    const previewed = await graphql(server, `mutation { createCampaign(input: {name: "Docs preview", templateName: "order_update", languageCode: "en",
      audience: {contactIds: "${contactId}"}, bodyParameters: [{contactField: \"firstName\"}, {text: "#2"}]}) { ... on MutationCreateCampaignSuccess { campaign { id } } } }`);
    const savedFilter = await graphql(server, `mutation { createSavedFilter(input: {name: "Docs", hasConversation: true}) {
      ... on MutationCreateSavedFilterSuccess { savedFilter { id } } } }`);
    const upload = await fetch(`${server.url}/api/media/uploads?filename=photo.png`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_API_TOKEN}`, "content-type": "image/png" },
      body: PNG,
    }).then((response) => response.json());
    fixtures = {
      contactId,
      "contact id": contactId,
      conversationId: message.conversationId,
      "conversation.id": message.conversationId,
      "markConversationRead.id": message.conversationId,
      messageId: message.messageId,
      replyToWamid: message.wamid,
      assigneeId: viewer.data.viewer.id,
      labelId: label.data.createLabel.label.id,
      labelIds: label.data.createLabel.label.id,
      "campaign.id": campaign.data.createCampaign.campaign.id,
      "cancelCampaign.id": campaign.data.createCampaign.campaign.id,
      "campaignUpdated.id": campaign.data.createCampaign.campaign.id,
      "campaign id": campaign.data.createCampaign.campaign.id,
      "campaignPreview.id": previewed.data.createCampaign.campaign.id,
      "startCampaign.id": previewed.data.createCampaign.campaign.id,
      "deleteSavedFilter.id": savedFilter.data.createSavedFilter.savedFilter.id,
      "deleteConversationNote.id": note.data.addConversationNote.note.id,
      mediaId: upload.mediaId,
      // Connecting the number the server started with, again, with its own token: Meta (the simulator) accepts it.
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      businessAccountId: TEST_WABA_ID,
      accessToken: SIMULATOR_TOKEN,
    };
    for (const [name, value] of Object.entries(fixtures)) expect(value, `fixture ${name}`).toBeTruthy();
    workDir = mkdtempSync(path.join(whatsapp.server.dir, "examples-"));
    writeFileSync(path.join(workDir, "invoice.pdf"), PDF);
  }, 60_000);

  afterAll(async () => {
    await whatsapp?.stop();
  });

  const urls = (text: string) =>
    text
      .replaceAll("http://localhost:3001", whatsapp.server.url)
      .replaceAll("ws://localhost:3001", whatsapp.server.url.replace(/^http/, "ws"))
      .replaceAll("http://localhost:4010", whatsapp.server.app.config.WHATSAPP_API_BASE_URL);

  function fixture(key: string, fallback: string, block: CodeBlock) {
    const value = fixtures[key] ?? fixtures[fallback];
    if (!value) throw new Error(`${where(block)}: no fixture for the placeholder of ${key} — add one to FIXTURES in this test`);
    return value;
  }

  /** The block's operations, each with its `…` ids replaced by real ones. */
  function operations(block: CodeBlock): DocumentNode[] {
    const document = parse(block.code);
    return document.definitions.map((definition) => {
      const fields: string[] = [];
      const filled = visit(definition, {
        Field: { enter: (node) => void fields.push(node.name.value), leave: () => void fields.pop() },
        Argument(node) {
          if (node.value.kind !== Kind.STRING || !node.value.value.includes("…")) return undefined;
          const value = fixture(`${fields.at(-1)}.${node.name.value}`, node.name.value, block);
          return { ...node, value: { kind: Kind.STRING, value } };
        },
        ObjectField(node) {
          if (node.value.kind !== Kind.STRING || !node.value.value.includes("…")) return undefined;
          return { ...node, value: { kind: Kind.STRING, value: fixture(node.name.value, node.name.value, block) } };
        },
      });
      return { kind: Kind.DOCUMENT, definitions: [filled] } as DocumentNode;
    });
  }

  it.each(blocks("graphql").map((block) => [where(block), block] as const))("GraphQL at %s runs", async (_where, block) => {
    for (const document of operations(block)) {
      expect(validate(schema, document).map((error) => error.message), print(document)).toEqual([]);
      const operation = document.definitions[0] as OperationDefinitionNode;
      // Subscriptions are validated here; the Node script below shows one delivering.
      if (operation.operation === "subscription") continue;
      const answer = await graphql(whatsapp.server, print(document));
      expect(answer.errors, print(document)).toBeUndefined();
      expect(typedErrors(answer.data), print(document)).toEqual([]);
    }
  });

  it.each(blocks("bash").filter((block) => /^curl /m.test(block.code)).map((block) => [where(block), block] as const))(
    "curl at %s answers as shown",
    async (_where, block) => {
      for (const { command, expected } of curlCommands(block.code)) {
        const filled = urls(command).replace(/<([a-z ]+)>/g, (_match, name: string) => fixture(name, name, block));
        // Asynchronous: the server answering curl runs on this thread.
        const run = await execFileAsync("bash", ["-c", `curl() { command curl --write-out '\\n%{http_code}' "$@"; }\n${filled}`], {
          cwd: workDir,
          env: { ...process.env, TOKEN: ADMIN_API_TOKEN },
          timeout: 15_000,
        }).catch((error: { stdout: string; stderr: string }) => error);
        const output = run.stdout.trimEnd().split("\n");
        const status = Number(output.pop());
        expect(status, `${command}\n${run.stdout}${run.stderr}`).toBeGreaterThanOrEqual(200);
        expect(status, `${command}\n${run.stdout}`).toBeLessThan(300);
        const body = output.join("\n");
        // GraphQL answers 200 even when the document is wrong: its errors are what tell.
        if (body.startsWith("{")) expect(JSON.parse(body).errors, command).toBeUndefined();
        if (!expected) continue;
        if (expected.status) expect(status, command).toBe(expected.status);
        expect(shape(JSON.parse(body)), command).toEqual(shape(expected.body));
      }
    },
  );

  it.each(blocks("js").map((block) => [where(block), block] as const))("the Node script at %s prints what a customer sends", async (_where, block) => {
    // Inside the project, so that `graphql-ws` and `ws` resolve as for a reader who installed them.
    const dir = path.join(ROOT, "node_modules", ".cache", "docs-examples");
    mkdirSync(dir, { recursive: true });
    const script = path.join(mkdtempSync(path.join(dir, "run-")), "watch.mjs");
    writeFileSync(script, urls(block.code));
    const child = spawn(process.execPath, [script], { env: { ...process.env, TOKEN: ADMIN_API_TOKEN }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    try {
      const text = `Docs example ${Date.now()}`;
      let sentAt = 0;
      // The script gives no sign once subscribed: the customer writes again until it prints.
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`the script ended: ${output}`);
        if (Date.now() - sentAt > 1000) {
          sentAt = Date.now();
          await whatsapp.simulator.sendInbound({ from: CUSTOMER.waId, name: CUSTOMER.name, type: "text", text });
        }
        return output.includes(text);
      }, `the script printing the message (output so far: ${output})`, 15_000);
      expect(output).not.toMatch(/error/i);
    } finally {
      child.kill();
      rmSync(path.dirname(script), { recursive: true, force: true });
    }
  });

  it("shows a conversation file with the keys a real one has", async () => {
    const [example] = blocks("json").filter((block) => block.section === "Conversation files");
    const documented = JSON.parse(example.code);
    const dir = whatsapp.server.app.config.CONVERSATIONS_DIR;
    const file = await eventually(async () => {
      const workspaces = existsSync(dir) ? readdirSync(dir).filter((name) => !name.startsWith(".")) : [];
      const candidate = workspaces.map((workspace) => path.join(dir, workspace, `${CUSTOMER.waId}.json`)).find(existsSync);
      return candidate && JSON.parse(readFileSync(candidate, "utf8"));
    }, "the customer's conversation file");
    expect(Object.keys(file).sort()).toEqual(Object.keys(documented).sort());
    const optional = read("docs/operations.md").match(/Optional keys appear only when they apply: (.*?)\./s)![1];
    const documentedKeys = new Set([
      ...documented.messages.flatMap((message: object) => Object.keys(message)),
      ...[...optional.matchAll(/`(\w+)/g)].map((match) => match[1]),
    ]);
    for (const message of file.messages) for (const key of Object.keys(message)) expect(documentedKeys, `message key ${key}`).toContain(key);
  });

  it("REST routes the docs list answer", async () => {
    expect((await rest(whatsapp.server, "GET", "/healthz")).status).toBe(200);
    expect((await rest(whatsapp.server, "GET", "/readyz")).status).toBe(200);
  });
});

/** `curl …` commands (with their `\` continuation lines) and the `# → …` answer after each. */
function curlCommands(code: string) {
  const lines = code.split("\n");
  const commands: Array<{ command: string; expected?: { status?: number; body: unknown } }> = [];
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index].startsWith("curl ")) continue;
    const command = [lines[index]];
    while (command.at(-1)!.trimEnd().endsWith("\\")) command.push(lines[++index]);
    const answer = /^#\s*→\s*(?:(\d{3})\s+)?(\{.*\})\s*$/.exec(lines[index + 1] ?? "");
    commands.push({
      command: command.join("\n"),
      expected: answer ? { status: answer[1] ? Number(answer[1]) : undefined, body: JSON.parse(answer[2]) } : undefined,
    });
  }
  return commands;
}

/** Keys all the way down, the types of values, and booleans themselves: what a renamed field changes. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).sort().map(([key, item]) => [key, shape(item)]));
  return typeof value === "boolean" ? value : value === null ? null : typeof value;
}

/** Results typed as an expected failure (`…Error`): an example meant to work that did not. */
function typedErrors(data: unknown): string[] {
  if (Array.isArray(data)) return data.flatMap(typedErrors);
  if (!data || typeof data !== "object") return [];
  const record = data as Record<string, unknown>;
  const own = typeof record.__typename === "string" && record.__typename.endsWith("Error") ? [JSON.stringify(record)] : [];
  return [...own, ...Object.values(record).flatMap(typedErrors)];
}

// The smallest files of their types, so the upload examples send something WhatsApp would take.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
