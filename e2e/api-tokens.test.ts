import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSignedInPage, type SignedInPage } from "./whatsapp-harness.ts";

let signedIn: SignedInPage;
let page: Page;

beforeAll(async () => {
  signedIn = await openSignedInPage("/settings/tokens");
  page = signedIn.page;
  await page.getByRole("heading", { name: "API tokens" }).waitFor();
});
afterAll(() => signedIn?.stop());

const tokenCount = () => signedIn.bed.server.app.db.apiToken.count();

describe("API tokens", () => {
  it("refuses a token without a name under its field, announced to assistive technology", async () => {
    const before = await tokenCount();
    const name = page.getByLabel("Token name");
    await name.fill("   ");
    await page.getByRole("button", { name: "Create token" }).click();
    const refusal = page.getByText("Give the token a name of 1 to 100 characters");
    await refusal.waitFor();
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    expect(await name.getAttribute("aria-describedby")).toBe(await refusal.getAttribute("id"));
    expect(await tokenCount()).toBe(before);
  });

  it("creates a named token, shows it once, and the API accepts it", async () => {
    await page.getByLabel("Token name").fill("Tally sync");
    await page.getByLabel("Expires").selectOption({ label: "In 30 days" });
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("heading", { name: "Your new token “Tally sync”" }).waitFor();
    const token = await page.getByLabel("New API token").inputValue();
    expect(await page.getByLabel("Token name").inputValue()).toBe("");
    expect(await page.getByLabel("Token name").getAttribute("aria-invalid")).toBeNull();
    await page.getByRole("table").getByRole("rowheader", { name: "Tally sync" }).waitFor();

    const answer = await fetch(`${signedIn.bed.server.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { email } }" }),
    });
    expect(((await answer.json()) as { data?: { viewer: { email: string } } }).data?.viewer.email).toBeTruthy();
  });
});
