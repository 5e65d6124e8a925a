import { describe, expect, it } from "vitest";
import { sortFieldErrors, useFieldErrors } from "./useFieldErrors.ts";

const FIELDS = ["name", "whatsappNumber"] as const;

describe("sortFieldErrors", () => {
  it("puts each message under the field the server named", () => {
    const sorted = sortFieldErrors(FIELDS, [
      { field: "whatsappNumber", message: "Invalid phone number" },
      { field: "name", message: "Name is required" },
    ]);
    expect(sorted.byField).toEqual({ whatsappNumber: "Invalid phone number", name: "Name is required" });
    expect(sorted.other).toEqual([]);
  });

  it("keeps refusals of fields the form does not show, instead of dropping them", () => {
    const sorted = sortFieldErrors(FIELDS, [{ field: "workspace", message: "Workspace is archived" }]);
    expect(sorted.byField).toEqual({});
    expect(sorted.other).toEqual(["Workspace is archived"]);
  });

  it("shows every message when one field is refused twice", () => {
    const sorted = sortFieldErrors(FIELDS, [
      { field: "name", message: "Name is required." },
      { field: "name", message: "Must be at most 200 characters." },
    ]);
    expect(sorted.byField.name).toBe("Name is required. Must be at most 200 characters.");
  });
});

describe("useFieldErrors", () => {
  it("falls back to the error's own message when it names no field", () => {
    const errors = useFieldErrors(FIELDS);
    errors.apply([], "Something is wrong with this contact");
    expect(errors.formError.value).toBe("Something is wrong with this contact");
  });

  it("shows no form-level message when every refusal has its field", () => {
    const errors = useFieldErrors(FIELDS);
    errors.apply([{ field: "name", message: "Name is required" }], "Name is required");
    expect(errors.formError.value).toBeNull();
    expect(errors.byField.value).toEqual({ name: "Name is required" });
  });

  it("forgets the previous refusals on the next answer", () => {
    const errors = useFieldErrors(FIELDS);
    errors.apply([{ field: "name", message: "Name is required" }], "");
    errors.fail("The server did not answer");
    expect(errors.byField.value).toEqual({});
    expect(errors.formError.value).toBe("The server did not answer");
    errors.clear();
    expect(errors.formError.value).toBeNull();
  });
});
