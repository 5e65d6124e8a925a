import type { Page } from "playwright-core";
import { expect } from "vitest";
import { logIn } from "./whatsapp-harness.ts";

/**
 * An admin makes a label on Settings → Labels & replies, then opens Contacts → Import CSV and
 * chooses a file, which is read into the box (where a row can be fixed); answers that box. The
 * label is made in the same visit on purpose: the import must offer it without a reload.
 */
export async function makeLabelAndChooseCsv(page: Page, serverUrl: string, label: { name: string; colour?: string }, file: { name: string; text: string }) {
  await logIn(page, `${serverUrl}/settings/workflow`);
  await page.getByRole("heading", { name: "Labels & replies" }).waitFor();
  await page.getByLabel("Label name").fill(label.name);
  if (label.colour) await page.getByLabel("Colour").fill(label.colour);
  await page.getByRole("button", { name: "Add label" }).click();
  await page.getByRole("list", { name: "Labels" }).getByText(label.name).waitFor();

  await page.getByRole("link", { name: "Contacts", exact: true }).click();
  await page.getByRole("heading", { name: "Contacts" }).waitFor();
  await page.getByRole("button", { name: "Import CSV" }).click();
  await page.getByLabel("CSV file").setInputFiles({ name: file.name, mimeType: "text/csv", buffer: Buffer.from(file.text) });
  const rows = page.getByLabel("Rows (from the file, or pasted)");
  await expect.poll(() => rows.inputValue()).toBe(file.text);
  return rows;
}
