import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOtherWorkspace, graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";

const CREATE = `mutation($input: ContactInput!) {
  createContact(input: $input) {
    __typename
    ... on MutationCreateContactSuccess { contact { id name email company whatsappNumber whatsappLink } }
    ... on ValidationError { message fieldErrors { field message } }
  }
}`;
const UPDATE = `mutation($id: ID!, $input: ContactInput!) {
  updateContact(id: $id, input: $input) {
    __typename
    ... on MutationUpdateContactSuccess { contact { id name whatsappNumber } }
    ... on ValidationError { fieldErrors { field message } }
  }
}`;
const DELETE = `mutation($id: ID!) { deleteContact(id: $id) { __typename ... on MutationDeleteContactSuccess { deleted { id } } } }`;
const LIST = `query($search: String, $first: Int, $after: String) {
  contacts(search: $search, first: $first, after: $after) {
    edges { node { id name whatsappNumber } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const GET = `query($id: ID!) { contact(id: $id) { id name } }`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function create(input: Record<string, unknown>, token?: string) {
  const answer = await graphql(server, CREATE, { input }, token ? { token } : undefined);
  return answer.data.createContact;
}

describe("creating contacts", () => {
  it("stores a national-format Indian number in E.164 with its wa.me link", async () => {
    const result = await create({ name: "John Doe", whatsappNumber: "98765 43210", company: "Doe Traders" });
    expect(result.__typename).toBe("MutationCreateContactSuccess");
    expect(result.contact).toMatchObject({
      name: "John Doe",
      company: "Doe Traders",
      whatsappNumber: "+919876543210",
      whatsappLink: "https://wa.me/919876543210",
    });
  });

  it("refuses an invalid number on its field with 'Invalid phone number' and saves nothing", async () => {
    const before = await server.app.db.contact.count();
    const result = await create({ name: "Bad Number", whatsappNumber: "12345" });
    expect(result).toMatchObject({
      __typename: "ValidationError",
      fieldErrors: [{ field: "whatsappNumber", message: "Invalid phone number" }],
    });
    expect(await server.app.db.contact.count()).toBe(before);
  });

  it("reports every refused field at once", async () => {
    const result = await create({ name: "  ", email: "not-an-email", whatsappNumber: "abc" });
    expect(result.fieldErrors.map((error: { field: string }) => error.field).sort()).toEqual(["email", "name"]);
  });

  it("refuses a second contact with the same number, however it is typed", async () => {
    await create({ name: "Asha", whatsappNumber: "+91 91234 56789" });
    const duplicate = await create({ name: "Asha again", whatsappNumber: "091234-56789" });
    expect(duplicate.fieldErrors).toEqual([
      { field: "whatsappNumber", message: "Another contact already has this WhatsApp number" },
    ]);
  });

  it("accepts a contact without a number", async () => {
    const result = await create({ name: "No Phone", email: "np@example.com" });
    expect(result.contact).toMatchObject({ whatsappNumber: null, whatsappLink: null });
  });
});

describe("listing and searching", () => {
  beforeAll(async () => {
    for (const [index, name] of ["Zara Khan", "Vikram Rao", "Meera Iyer", "Ravi Kumar", "Priya Nair"].entries()) {
      await create({ name, whatsappNumber: `98111 0000${index}` });
    }
  });

  it("finds contacts by part of a name, case-insensitively", async () => {
    const found = await graphql(server, LIST, { search: "kumar" });
    expect(found.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(["Ravi Kumar"]);
  });

  it("finds contacts by number digits typed with spaces", async () => {
    const found = await graphql(server, LIST, { search: "98111 00003" });
    expect(found.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(["Ravi Kumar"]);
  });

  it("pages through every contact in name order with cursors, without repeats", async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer: { data: any } = await graphql(server, LIST, { first: 3, after });
      names.push(...answer.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name));
      if (!answer.data.contacts.pageInfo.hasNextPage) break;
      after = answer.data.contacts.pageInfo.endCursor;
    }
    const all = await server.app.db.contact.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] });
    expect(names).toEqual(all.map((contact) => contact.name));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("editing and deleting", () => {
  it("updates a contact and normalises its new number", async () => {
    const { contact } = await create({ name: "Old Name" });
    const updated = await graphql(server, UPDATE, { id: contact.id, input: { name: "New Name", whatsappNumber: "98700-12345" } });
    expect(updated.data.updateContact.contact).toMatchObject({ name: "New Name", whatsappNumber: "+919870012345" });
  });

  it("leaves the contact unchanged when an update is refused", async () => {
    const { contact } = await create({ name: "Keep Me", whatsappNumber: "98700 54321" });
    const refused = await graphql(server, UPDATE, { id: contact.id, input: { name: "Changed", whatsappNumber: "00" } });
    expect(refused.data.updateContact.__typename).toBe("ValidationError");
    const stored = await server.app.db.contact.findUniqueOrThrow({ where: { id: contact.id } });
    expect(stored).toMatchObject({ name: "Keep Me", whatsappNumber: "+919870054321" });
  });

  it("deletes a contact", async () => {
    const { contact } = await create({ name: "Temporary" });
    const deleted = await graphql(server, DELETE, { id: contact.id });
    expect(deleted.data.deleteContact.deleted.id).toBe(contact.id);
    expect((await graphql(server, GET, { id: contact.id })).data.contact).toBeNull();
  });

  it("answers NotFoundError for an unknown id", async () => {
    const answer = await graphql(server, UPDATE, { id: "nope", input: { name: "X" } });
    expect(answer.data.updateContact.__typename).toBe("NotFoundError");
  });
});

describe("workspaces", () => {
  it("never shows, changes or deletes another workspace's contacts", async () => {
    const other = await createOtherWorkspace(server);
    const { contact: theirs } = await create({ name: "Their Customer", whatsappNumber: "98222 11111" }, other.token);

    expect((await graphql(server, GET, { id: theirs.id })).data.contact).toBeNull();
    const listed = await graphql(server, LIST, { search: "Their Customer" });
    expect(listed.data.contacts.edges).toEqual([]);
    expect((await graphql(server, UPDATE, { id: theirs.id, input: { name: "Hijacked" } })).data.updateContact.__typename).toBe(
      "NotFoundError",
    );
    expect((await graphql(server, DELETE, { id: theirs.id })).data.deleteContact.__typename).toBe("NotFoundError");

    const stored = await server.app.db.contact.findUniqueOrThrow({ where: { id: theirs.id } });
    expect(stored.name).toBe("Their Customer");
  });

  it("lets two workspaces each keep a contact with the same number", async () => {
    const other = await createOtherWorkspace(server);
    const mine = await create({ name: "Shared Customer A", whatsappNumber: "98333 22222" });
    const theirs = await create({ name: "Shared Customer B", whatsappNumber: "98333 22222" }, other.token);
    expect(mine.__typename).toBe("MutationCreateContactSuccess");
    expect(theirs.__typename).toBe("MutationCreateContactSuccess");
  });
});

describe("contacts and WhatsApp conversations", () => {
  it("links a customer's existing conversation to the contact created for that number, and unlinks it when the number changes", async () => {
    const workspaceId = (await server.app.db.user.findFirstOrThrow()).workspaceId;
    const conversation = await server.app.db.conversation.create({ data: { workspaceId, waId: "919844400001" } });
    const { contact } = await create({ name: "Walk-in Customer", whatsappNumber: "98444 00001" });
    expect((await server.app.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).contactId).toBe(contact.id);

    await graphql(server, UPDATE, { id: contact.id, input: { name: "Walk-in Customer", whatsappNumber: "98444 00002" } });
    expect((await server.app.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).contactId).toBeNull();
  });
});
