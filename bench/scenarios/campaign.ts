/**
 * Scenario 8 — campaign. A workspace of N labelled contacts (written straight into the database);
 * an admin creates a campaign of an approved template to the label and starts it. Figures: how
 * long startCampaign takes to queue every recipient (target ≤ 10 s for 100,000), and the rate they
 * reach our Cloud API simulator at (its own process; statuses dropped), against the configured
 * WHATSAPP_SEND_RATE_PER_SECOND (±5 %). Every recipient must arrive exactly once.
 */
import { createClient, type InStatement } from "@libsql/client";
import { ADMIN_API_TOKEN, sqliteDate, WORKSPACE_ID } from "../fixtures.ts";
import { makeWorkdir, until, waitForQuiet } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer, type ProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import type { Scenario } from "./context.ts";
import { busiestSecond, control, startSimulator } from "./outbound.ts";

const LABEL_ID = "lbench-campaign";
const recipientWaId = (index: number) => `9197${String(index).padStart(8, "0")}`;

/** N contacts wearing the campaign's label. */
async function seedAudience(databaseUrl: string, count: number) {
  const client = createClient({ url: databaseUrl });
  try {
    const now = sqliteDate(Date.now());
    const statements: InStatement[] = [{ sql: `INSERT INTO "Label" (id, workspaceId, name, color, createdAt) VALUES (?, ?, 'campaign', '#25d366', ?)`, args: [LABEL_ID, WORKSPACE_ID, now] }];
    for (let index = 0; index < count; index++) {
      const id = `kcampaign${index}`;
      statements.push(
        { sql: `INSERT INTO "Contact" (id, workspaceId, name, whatsappNumber, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)`, args: [id, WORKSPACE_ID, `Customer ${index}`, `+${recipientWaId(index)}`, now, now] },
        { sql: `INSERT INTO "ContactLabel" (contactId, labelId, createdAt) VALUES (?, ?, ?)`, args: [id, LABEL_ID, now] },
      );
    }
    for (let start = 0; start < statements.length; start += 5_000) await client.batch(statements.slice(start, start + 5_000), "write");
  } finally {
    client.close();
  }
}

async function gql(product: ProductServer, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${product.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, { __typename: string; campaign?: { id: string; total: number } }>; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const campaignScenario: Scenario = async (context) => {
  const { recipients, rate } = context.sizes.campaign;
  const simulator = await startSimulator();
  const queueMs: number[] = [];
  const achieved: number[] = [];
  const busiest: number[] = [];
  const failures: string[] = [];
  let product: ProductServer | null = null;
  try {
    await control(simulator.url, "POST", "/settings", { messagesPerSecond: 1_000_000, statusMode: "drop" });
    for (let run = 0; run < context.sizes.runs; run++) {
      const work = makeWorkdir(`campaign-r${run}`);
      const databaseUrl = `file:${work.dir}/${PRODUCT_DATABASE_FILE}`;
      await seedDatabase(databaseUrl, { conversations: 0, messages: 0 });
      await seedAudience(databaseUrl, recipients);
      product = await startProductServer({
        name: `campaign-r${run}`,
        dir: work.dir,
        profileDir: context.profileDir,
        env: { WHATSAPP_API_BASE_URL: simulator.url, WHATSAPP_SEND_RATE_PER_SECOND: String(rate) },
      });
      context.addProfile(product);
      await control(simulator.url, "POST", "/settings", { webhookUrl: `${product.url}/api/whatsapp/webhook` });
      await control(simulator.url, "POST", "/reset", {}).catch(() => undefined);
      await control(simulator.url, "POST", "/settings", { messagesPerSecond: 1_000_000, statusMode: "drop", webhookUrl: `${product.url}/api/whatsapp/webhook` });
      await gql(product, `mutation { syncWhatsAppTemplates { __typename } }`);
      const created = await gql(
        product,
        `mutation($labelId: ID!) { createCampaign(input: { name: "Bench", templateName: "order_update", languageCode: "en", audience: { labelIds: [$labelId] },
          bodyParameters: [{ contactField: "firstName" }, { text: "#4711" }] }) { __typename ... on MutationCreateCampaignSuccess { campaign { id total } } } }`,
        { labelId: LABEL_ID },
      );
      const id = created.createCampaign!.campaign!.id;
      await waitForQuiet(product.pid);
      const startedAt = performance.now();
      const started = await gql(product, `mutation($id: ID!) { startCampaign(id: $id) { __typename ... on MutationStartCampaignSuccess { campaign { id total } } } }`, { id });
      queueMs.push(performance.now() - startedAt);
      if (started.startCampaign!.campaign?.total !== recipients) failures.push(`queued ${started.startCampaign!.campaign?.total ?? started.startCampaign!.__typename}, not ${recipients}`);
      const drainTimeoutMs = (recipients / rate) * 10_000 + 60_000;
      const drained = await until(async () => {
        const answer = await gql(product!, `query($id: ID!) { campaign(id: $id) { __typename queued } }`, { id });
        return (answer.campaign as unknown as { queued: number }).queued === 0;
      }, drainTimeoutMs, 500);
      if (!drained) failures.push(`not sent within ${Math.round(drainTimeoutMs / 1000)} s`);
      const { messages } = await control<{ messages: Array<{ to: string; atMs: number }> }>(simulator.url, "GET", "/messages");
      const ours = messages.filter((message) => message.to.startsWith("9197"));
      const unique = new Set(ours.map((message) => message.to)).size;
      if (ours.length > unique) failures.push(`${ours.length - unique} sent twice`);
      if (unique < recipients) failures.push(`${recipients - unique} never reached Meta`);
      const arrivals = ours.map((message) => message.atMs).sort((a, b) => a - b);
      achieved.push(arrivals.length > 1 ? ((arrivals.length - 1) * 1_000) / (arrivals.at(-1)! - arrivals[0]!) : Number.NaN);
      busiest.push(busiestSecond(arrivals));
      context.addRaw({ run, recipients, queueMs: queueMs.at(-1), arrived: ours.length, unique, achievedPerSecond: achieved.at(-1), busiestSecond: busiest.at(-1) });
      context.log(`campaign: run ${run + 1}/${context.sizes.runs}: queued ${recipients} in ${Math.round(queueMs.at(-1)!)} ms, ${unique}/${recipients} arrived at ${achieved.at(-1)!.toFixed(1)}/s`);
      await product.stop();
      product = null;
      work.remove();
    }
    const note = `${recipients.toLocaleString("en-US")} recipients`;
    context.addFigure({ scenario: "8 campaign", figure: "startCampaign: every recipient queued", unit: "ms", runs: queueMs, target: { op: "<=", value: (10_000 * recipients) / 100_000 }, failure: failures[0], note });
    context.addFigure({
      scenario: "8 campaign",
      figure: `campaign send rate, limit ${rate}/s`,
      unit: "sends/s",
      runs: achieved,
      baseline: { label: "limit", runs: [rate] },
      ratioTarget: { op: "between", low: 0.95, high: 1.05 },
      failure: failures[0],
      note,
    });
    context.addFigure({ scenario: "8 campaign", figure: `busiest second at Meta, limit ${rate}/s`, unit: "sends/s", runs: busiest, target: { op: "<=", value: rate }, failure: failures[0] });
  } finally {
    await product?.stop();
    await simulator.child.stop();
  }
};
