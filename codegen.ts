import type { CodegenConfig } from "@graphql-codegen/cli";

/** Types the client's operations against schema.graphql (printed from the server's Pothos schema). */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["client/src/**/*.{ts,vue}", "!client/src/graphql/generated/**"],
  ignoreNoDocuments: true,
  generates: {
    "client/src/graphql/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string" } },
    },
  },
};

export default config;
