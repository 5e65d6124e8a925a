import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printedSchema, SCHEMA_FILE } from "./print-schema.ts";

describe("schema.graphql", () => {
  it("is the schema the server serves (run `npm run codegen` after changing GraphQL types)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(printedSchema());
  });
});
