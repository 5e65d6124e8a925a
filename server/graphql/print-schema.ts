// Writes schema.graphql: what integrators read and what codegen types the client against.
import { writeFileSync } from "node:fs";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./schema.ts";

export const SCHEMA_FILE = new URL("../../schema.graphql", import.meta.url);
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(SCHEMA_FILE, printedSchema());
