import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recipientOutcomes } from "./campaign-report.ts";
import { RECIPIENT_CSV_COLUMNS } from "./recipients-csv.ts";
import { DEFAULT_TEMPLATES } from "../simulator/templates.ts";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, type TestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";

// GET /api/campaigns/:id/recipients.csv and the report's cost, against the Cloud API simulator:
// every recipient's outcome as a spreadsheet opens it, safely, and only for the campaign's workspace.

let whatsapp: SimulatedWhatsApp;
let server: TestServer;
let workspaceId: string;
const db = () => server.app.db;

const FESTIVAL_OFFER = {
  id: "1000000000000098",
  name: "festival_offer",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, enjoy 20% off this Diwali!" }],
};

beforeAll(async () => {
  whatsapp = await startWithSimulator({ WHATSAPP_SEND_RATE_PER_SECOND: "20" });
  server = whatsapp.server;
  whatsapp.simulator.setTemplates([...DEFAULT_TEMPLATES, FESTIVAL_OFFER] as typeof DEFAULT_TEMPLATES);
  expect((await graphql(server, `mutation { syncWhatsAppTemplates { __typename } }`)).data.syncWhatsAppTemplates.__typename).toBe("MutationSyncWhatsAppTemplatesSuccess");
  workspaceId = (await db().user.findFirstOrThrow({ where: { role: "ADMIN" } })).workspaceId;
}, 30_000);
afterAll(async () => {
  await whatsapp.simulator.stop();
  await whatsapp.server.stop();
});

let numberSequence = 0;
async function labelled(label: string, names: string[]) {
  const labelRow = await db().label.create({ data: { workspaceId, name: label, color: "#25d366" } });
  const contacts = [];
  for (const name of names) {
    const contact = await db().contact.create({ data: { workspaceId, name, whatsappNumber: `+9198${String(30_000_000 + ++numberSequence)}` } });
    await db().contactLabel.create({ data: { contactId: contact.id, labelId: labelRow.id } });
    contacts.push(contact);
  }
  return { labelId: labelRow.id, contacts };
}

const FIELDS = `id status queued sent delivered read replied failed cancelled cost { currency amount billableMessages }`;

async function campaign(id: string) {
  return (await graphql(server, `query($id: ID!) { campaign(id: $id) { ${FIELDS} } }`, { id })).data.campaign;
}

async function startCampaign(labelId: string) {
  const created = await graphql(server, `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on MutationCreateCampaignSuccess { campaign { id } } } }`, {
    input: { name: "Diwali, 2026", templateName: "festival_offer", languageCode: "en", audience: { labelIds: [labelId] }, bodyParameters: [{ contactField: "firstName" }] },
  });
  const id = created.data.createCampaign.campaign.id as string;
  expect((await graphql(server, `mutation($id: ID!) { startCampaign(id: $id) { __typename } }`, { id })).data.startCampaign.__typename).toBe("MutationStartCampaignSuccess");
  return id;
}

async function download(id: string, token: string | null = ADMIN_API_TOKEN) {
  const response = await fetch(`${server.url}/api/campaigns/${id}/recipients.csv`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** RFC 4180 as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') (field += '"'), index++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") row.push(field), (field = "");
    else if (char === "\r" && text[index + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), index++;
    else field += char;
  }
  return rows;
}

const byName = (rows: string[][]) => new Map(rows.slice(1).map((row) => [row[0]!, Object.fromEntries(RECIPIENT_CSV_COLUMNS.map((column, index) => [column, row[index]]))]));

describe("a campaign's recipients as CSV", () => {
  it("lists every recipient's outcome, escaped, with formulas defused, a failure's reason and who replied; the report's cost follows Meta's pricing", async () => {
    const names = ['=HYPERLINK("http://evil.example","Click")', 'Sharma, "Raj"', "Asha Patel", "@Meera Iyer", "Kavya Rao"];
    const { labelId, contacts } = await labelled("csv-outcomes", names);
    whatsapp.simulator.forceFailures({ kind: "meta", code: 131026, count: 1 });
    const id = await startCampaign(labelId);
    const done = await eventually(async () => {
      const now = await campaign(id);
      return now.status === "COMPLETED" && now.read === 4 && now;
    }, "the campaign to be sent and read", 20_000);
    expect(done).toMatchObject({ sent: 4, failed: 1, delivered: 4 });
    // Meta refuses whichever send comes first: the customer who writes back is one who got the message.
    const refused = await db().whatsAppMessage.findFirstOrThrow({ where: { campaignId: id, status: "FAILED" }, select: { conversation: { select: { waId: true } } } });
    const replier = [contacts[2]!, contacts[4]!].find((contact) => contact.whatsappNumber!.slice(1) !== refused.conversation.waId)!;
    await whatsapp.simulator.sendInbound({ from: replier.whatsappNumber!.slice(1), name: replier.name, type: "text", text: "Is it valid online?" });
    await eventually(async () => (await campaign(id)).replied === 1, "the reply to count");

    const answer = await download(id);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toBe('attachment; filename="campaign-diwali-2026-recipients.csv"');
    const rows = parseCsv(answer.text);
    expect(rows[0]).toEqual([...RECIPIENT_CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + names.length);
    const recipients = byName(rows);
    // A spreadsheet shows these as typed instead of running them.
    expect([...recipients.keys()].sort()).toEqual(["'=HYPERLINK(\"http://evil.example\",\"Click\")", "'@Meera Iyer", "Asha Patel", "Kavya Rao", 'Sharma, "Raj"']);
    expect(answer.text).toContain('"Sharma, ""Raj"""');
    expect(recipients.get(replier.name)).toMatchObject({ phone: replier.whatsappNumber!.slice(1), bsuid: "", status: "read", sent: "yes", delivered: "yes", read: "yes", replied_within_72h: "yes", error_code: "", error_title: "" });
    expect(new Date(recipients.get(replier.name)!.status_at!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const failed = [...recipients.values()].filter((row) => row.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ sent: "no", delivered: "no", read: "no", replied_within_72h: "no", error_code: "131026", error_title: "Message Undeliverable" });
    expect([...recipients.values()].filter((row) => row.replied_within_72h === "yes")).toHaveLength(1);

    // Read a page at a time: pages of two give the same five recipients, each once.
    const pages: number[] = [];
    const names2: string[] = [];
    for await (const page of recipientOutcomes(db(), await db().campaign.findUniqueOrThrow({ where: { id } }), 2)) pages.push(page.length), names2.push(...page.map((outcome) => outcome.name!));
    expect(pages).toEqual([2, 2, 1]);
    expect(names2.sort()).toEqual([...names].sort());

    // What it cost: the four delivered marketing messages Meta called billable, at the Indian rate.
    expect(done.cost.billableMessages).toBe(4);
    expect(done.cost.amount).toBeCloseTo(4 * 0.8631, 4);
  }, 40_000);

  it("is the campaign's workspace's only: another business's id, an unknown one and no sign-in are refused", async () => {
    const { labelId } = await labelled("csv-tenancy", ["Divya Nair"]);
    const id = await startCampaign(labelId);
    const other = await createOtherWorkspace(server);
    const asOther = await download(id, other.token);
    expect(asOther.status).toBe(404);
    expect(JSON.parse(asOther.text)).toMatchObject({ success: false, error: "Campaign not found" });
    expect((await download("no-such-campaign")).status).toBe(404);
    expect((await download(id, null)).status).toBe(401);
    expect((await graphql(server, `query($id: ID!) { campaign(id: $id) { id } }`, { id }, { token: other.token })).data.campaign).toBeNull();
  });

  it("of a cancelled campaign lists the recipients it reached; those it dropped are only counted", async () => {
    const { labelId } = await labelled("csv-cancelled", Array.from({ length: 40 }, (_, index) => `Customer ${index}`));
    const id = await startCampaign(labelId);
    await eventually(async () => (await campaign(id)).sent >= 2, "some to be sent");
    await graphql(server, `mutation($id: ID!) { cancelCampaign(id: $id) { __typename } }`, { id });
    const final = await eventually(async () => {
      const now = await campaign(id);
      return now.queued === 0 && now;
    }, "nothing left to send", 10_000);
    expect(final.cancelled).toBeGreaterThan(0);
    const rows = parseCsv((await download(id)).text).slice(1);
    expect(rows).toHaveLength(final.sent + final.failed);
    expect(rows.every((row) => row[3] !== "queued")).toBe(true);
  }, 30_000);
});
