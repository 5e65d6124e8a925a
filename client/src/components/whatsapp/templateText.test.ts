import { describe, expect, it } from "vitest";
import { fillTemplate, templateSegments } from "./templateText.ts";

describe("template text", () => {
  it("fills each {{n}} with the n-th parameter, as the customer will read it", () => {
    expect(fillTemplate("Hi {{1}}, your order {{2}} has shipped.", ["Ravi", "#BH-2041"])).toBe("Hi Ravi, your order #BH-2041 has shipped.");
  });

  it("leaves a placeholder without a value visible, so the preview shows what is missing", () => {
    expect(templateSegments("Hi {{1}}, order {{2}}", ["Ravi", "  "])).toEqual([
      { text: "Hi " },
      { placeholder: 1, value: "Ravi" },
      { text: ", order " },
      { placeholder: 2, value: null },
    ]);
    expect(fillTemplate("Hi {{1}}, order {{2}}", ["Ravi"])).toBe("Hi Ravi, order {{2}}");
  });

  it("uses a parameter for each repetition of its placeholder", () => {
    expect(fillTemplate("{{1}} and {{1}} again", ["Asha"])).toBe("Asha and Asha again");
  });
});
