import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql } from "../tests/support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";

// A second business connects its own number against the simulated Meta: Meta is asked first,
// nothing is stored when it refuses, the token is kept sealed, and each number's customers reach
// only the workspace that connected it.

const B = { phoneNumberId: "300000000000003", businessAccountId: "400000000000004", token: "EAAB-second-business-token-0123456789" };
const B_IDS = { phoneNumberId: B.phoneNumberId, businessAccountId: B.businessAccountId };
const CUSTOMER = "919822200002";

const CONNECT = `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) {
  __typename
  ... on MutationConnectWhatsAppNumberSuccess { number { id phoneNumberId displayPhoneNumber verifiedName qualityRating throughputLevel coexistence status } }
  ... on Error { message }
  ... on WhatsAppNumberNotFoundError { field }
  ... on WhatsAppTokenRefusedError { metaCode }
  ... on ValidationError { fieldErrors { field message } }
} }`;
const NUMBERS = `{ whatsappNumbers { id verifiedName status } }`;
const DISCONNECT = `mutation($id: ID!) { disconnectWhatsAppNumber(id: $id) { __typename ... on MutationDisconnectWhatsAppNumberSuccess { number { id status } } ... on Error { message } } }`;

let bed: SimulatedWhatsApp;
let other: Awaited<ReturnType<typeof createOtherWorkspace>>;
beforeAll(async () => {
  bed = await startWithSimulator();
  other = await createOtherWorkspace(bed.server);
  bed.simulator.addNumber({ ...B, verifiedName: "Second Business", qualityRating: "YELLOW", isOnBizApp: true, displayPhoneNumber: "918000000003" });
});
afterAll(() => bed.stop());

const db = () => bed.server.app.db;
const asB = () => ({ token: other.token });
const connect = (input: Record<string, string>, as = asB()) =>
  graphql(bed.server, CONNECT, { input }, as).then((answer) => {
    expect(answer.errors).toBeUndefined();
    return answer.data.connectWhatsAppNumber;
  });
const storedNumbers = () => db().whatsAppPhoneNumber.findMany({ orderBy: { phoneNumberId: "asc" } });

describe("connecting a number", () => {
  it("refuses a token Meta refuses, on the form, and stores nothing", async () => {
    const before = await storedNumbers();
    const answer = await connect({ ...B_IDS, accessToken: "EAAB-expired" });
    expect(answer).toMatchObject({ __typename: "WhatsAppTokenRefusedError", metaCode: 190, message: expect.stringMatching(/^Meta refused this access token/) });
    expect(await storedNumbers()).toEqual(before);
    expect(bed.simulator.subscribedAccounts()).toEqual([]);
  });

  it("refuses a number Meta does not know for the token, and one outside the business account", async () => {
    const before = await storedNumbers();
    expect(await connect({ ...B_IDS, phoneNumberId: "399999999999999", accessToken: B.token })).toMatchObject({ __typename: "WhatsAppNumberNotFoundError", field: "phoneNumberId" });
    // The same token also manages a second business account, which does not hold this number.
    bed.simulator.addNumber({ phoneNumberId: "300000000000005", businessAccountId: "400000000000006", token: B.token });
    expect(await connect({ ...B_IDS, businessAccountId: "400000000000006", accessToken: B.token })).toMatchObject({
      __typename: "WhatsAppNumberNotFoundError",
      field: "businessAccountId",
      message: "This phone number is not in that WhatsApp Business Account",
    });
    expect(await connect({ ...B_IDS, phoneNumberId: "12ab", businessAccountId: "", accessToken: " " })).toMatchObject({
      __typename: "ValidationError",
      fieldErrors: [{ field: "phoneNumberId" }, { field: "businessAccountId" }, { field: "accessToken" }],
    });
    expect(await storedNumbers()).toEqual(before);
    expect(bed.simulator.subscribedAccounts()).toEqual([]);
  });

  it("connects a second business's own number with Meta's details, subscribes the app, and keeps the token sealed", async () => {
    // A conversation the workspace kept from before it had a number (as migrated): its first number takes it.
    const earlier = await db().conversation.create({ data: { workspaceId: other.workspace.id, waId: "919822200009", lastMessageAt: new Date() } });
    const answer = await connect({ ...B_IDS, accessToken: B.token });
    expect(answer).toEqual({
      __typename: "MutationConnectWhatsAppNumberSuccess",
      number: {
        id: B.phoneNumberId,
        phoneNumberId: B.phoneNumberId,
        displayPhoneNumber: "+91 80000 00003",
        verifiedName: "Second Business",
        qualityRating: "YELLOW",
        throughputLevel: "STANDARD",
        coexistence: true,
        status: "CONNECTED",
      },
    });
    expect(bed.simulator.subscribedAccounts()).toEqual([B.businessAccountId]);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: earlier.id } })).businessPhoneNumberId).toBe(B.phoneNumberId);
    const stored = await db().whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: B.phoneNumberId } });
    expect(stored.workspaceId).toBe(other.workspace.id);
    expect(stored.accessTokenSealed).toMatch(/^v1\./);
    expect(stored.accessTokenSealed).not.toContain(B.token);
    // Nowhere in the database's files, in clear, either.
    const dataDir = bed.server.dir;
    for (const file of readdirSync(dataDir).filter((name) => name.startsWith("test.db"))) {
      expect(readFileSync(path.join(dataDir, file)).includes(B.token), file).toBe(false);
    }
    expect((await graphql(bed.server, `{ whatsappStatus { configured } }`, {}, asB())).data.whatsappStatus.configured).toBe(true);
    expect((await graphql(bed.server, NUMBERS, {}, asB())).data.whatsappNumbers).toEqual([{ id: B.phoneNumberId, verifiedName: "Second Business", status: "CONNECTED" }]);
    // The first business still has only its own.
    expect((await graphql(bed.server, NUMBERS)).data.whatsappNumbers.map((number: { id: string }) => number.id)).toEqual([TEST_PHONE_NUMBER_ID]);
  });

  it("routes each number's customers to the workspace that connected it, and sends from that number with its token", async () => {
    await bed.simulator.sendInbound({ phone_number_id: B.phoneNumberId, from: CUSTOMER, name: "Kavya", type: "text", text: "Hello second business" });
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId: CUSTOMER } });
    expect(conversation.workspaceId).toBe(other.workspace.id);
    expect((await graphql(bed.server, `{ conversations { edges { cursor } } }`)).data.conversations.edges).toEqual([]);

    const reply = await graphql(bed.server, `mutation { sendWhatsApp(input: { phoneNumber: "+${CUSTOMER}", message: "Welcome!" }) { __typename } }`, {}, asB());
    expect(reply.data.sendWhatsApp.__typename).toBe("SendWhatsAppSuccess");
    expect(bed.simulator.sentMessages().at(-1)).toMatchObject({ phoneNumberId: B.phoneNumberId, to: CUSTOMER, body: "Welcome!" });
  });

  it("refuses another workspace's connected number without saying whose, even with its working token", async () => {
    const before = await storedNumbers();
    const answer = await connect({ ...B_IDS, accessToken: B.token }, { token: ADMIN_API_TOKEN });
    expect(answer).toEqual({ __typename: "WhatsAppNumberTakenError", message: "This number is connected to another workspace: it must be disconnected there first" });
    expect(await storedNumbers()).toEqual(before);
  });

  it("takes a new token when the workspace connects its own number again", async () => {
    bed.simulator.addNumber({ ...B, token: "EAAB-rotated-token-9876543210", verifiedName: "Second Business", qualityRating: "GREEN" });
    const send = () => graphql(bed.server, `mutation { sendWhatsApp(input: { phoneNumber: "+${CUSTOMER}", message: "Still here" }) { __typename ... on SendFailedError { code } } }`, {}, asB());
    // The old token no longer opens this number (it still opens the other account's: 100, not 190).
    expect((await send()).data.sendWhatsApp).toEqual({ __typename: "SendFailedError", code: 100 });
    expect(await connect({ ...B_IDS, accessToken: "EAAB-rotated-token-9876543210" })).toMatchObject({ number: { qualityRating: "GREEN" } });
    expect((await send()).data.sendWhatsApp.__typename).toBe("SendWhatsAppSuccess");
  });

  it("disconnects: its conversations stay, nothing is sent from it, and its webhooks go to the unrouted log", async () => {
    const answer = await graphql(bed.server, DISCONNECT, { id: B.phoneNumberId }, asB());
    expect(answer.data.disconnectWhatsAppNumber).toEqual({ __typename: "MutationDisconnectWhatsAppNumberSuccess", number: { id: B.phoneNumberId, status: "DISCONNECTED" } });
    expect((await db().whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: B.phoneNumberId } })).accessTokenSealed).toBeNull();
    expect((await graphql(bed.server, `{ whatsappStatus { configured } }`, {}, asB())).data.whatsappStatus.configured).toBe(false);
    expect(await db().conversation.count({ where: { workspaceId: other.workspace.id, businessPhoneNumberId: B.phoneNumberId } })).toBe(2);

    const { wamid } = await bed.simulator.sendInbound({ phone_number_id: B.phoneNumberId, from: CUSTOMER, type: "text", text: "Are you there?" });
    expect(await db().whatsAppMessage.count({ where: { wamid } })).toBe(0);
    await eventually(async () => (await db().unroutedWebhook.count({ where: { phoneNumberId: B.phoneNumberId, payload: { contains: wamid } } })) === 1, "the unrouted webhook");

    // Another workspace may connect it now (the business moved it), with a working token.
    expect(await connect({ ...B_IDS, accessToken: "EAAB-rotated-token-9876543210" }, { token: ADMIN_API_TOKEN })).toMatchObject({ __typename: "MutationConnectWhatsAppNumberSuccess" });
    expect((await graphql(bed.server, DISCONNECT, { id: B.phoneNumberId }, asB())).data.disconnectWhatsAppNumber.__typename).toBe("NotFoundError");
  });

  it("never writes a number's access token to the logs", () => {
    const logged = JSON.stringify(bed.server.logs);
    for (const token of [B.token, "EAAB-rotated-token-9876543210", "EAAB-expired", SIMULATOR_TOKEN]) expect(logged).not.toContain(token);
  });
});
