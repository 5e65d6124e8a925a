import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, NoSchemaIntrospectionCustomRule, visit, type DocumentNode } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { findMalformedText, hasPrototypeKeys, isMalformedText, MALFORMED_TEXT_MESSAGE, PROTOTYPE_KEYS_MESSAGE } from "../http/json-input.ts";

/**
 * What one GraphQL operation may ask for. The Vue client's deepest query (messages → edges →
 * node → quoted → field) is 5 levels deep and costs under 300; these leave room for
 * integrators and none for `quoted { quoted { quoted … } }` or 10,000 aliases of one field.
 */
export const GRAPHQL_LIMITS = {
  /** Fields nested in fields, fragments flattened. @default 8 */
  maxDepth: 8,
  /** graphql-armor's cost: 1 per scalar, 2 per object, times 1.5 per level. @default 5000 */
  maxCost: 5000,
  /** Aliased fields per operation (`__typename` excepted). @default 15 */
  maxAliases: 15,
  /** Directives per operation. @default 50 */
  maxDirectives: 50,
  /** Lexical tokens per document: parsing stops there, so a huge document costs nothing. @default 1000 */
  maxTokens: 1000,
} as const;

/**
 * GraphQL's own protections, for HTTP and WebSocket alike (both run through Yoga's envelope):
 * depth, cost, alias, directive and token limits (graphql-armor); in production no
 * introspection and no "did you mean" suggestions, which would map the schema for a stranger;
 * unreadable JSON in a GET's `variables` answered 400 (Yoga lets it escape as a 500); and text
 * the database cannot store refused before anything runs.
 */
export function graphqlProtections(isProduction: boolean): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: GRAPHQL_LIMITS.maxDepth, flattenFragments: true },
      costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, flattenFragments: true },
      maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
      maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
      maxTokens: { n: GRAPHQL_LIMITS.maxTokens },
      // graphql-armor's covers field names in validation only; noSuggestions covers every kind.
      blockFieldSuggestion: { enabled: false },
    }),
    ...(isProduction ? [noIntrospection(), noSuggestions()] : []),
    unreadableJsonIsBadRequest(),
    wellFormedText(),
  ];
}

function noIntrospection(): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) };
}

/** graphql-js's hints: `Did you mean "viewer"?`, `Did you mean the enum value "OPEN"?`, several names. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function withoutSuggestions<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !SUGGESTION.test(error.message)) return error;
  SUGGESTION.lastIndex = 0;
  return new GraphQLError(error.message.replace(SUGGESTION, ""), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * Strips "did you mean" hints from every error: validation (unknown fields, arguments, enum
 * literals) and execution (variables coerced to enums and input types), over HTTP and WebSocket.
 */
function noSuggestions(): Plugin {
  const strip = <T extends { errors?: readonly GraphQLError[] }>(result: T): T =>
    result.errors ? { ...result, errors: result.errors.map(withoutSuggestions) } : result;
  return {
    onValidate: () => ({ result, setResult }) => setResult(result.map(withoutSuggestions)),
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!(Symbol.asyncIterator in result)) setResult(strip(result));
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!(Symbol.asyncIterator in result)) setResult(strip(result));
      },
    }),
  };
}

/** Unreadable JSON, or JSON with prototype keys, in a GET's `variables` or `extensions` answers 400. */
function unreadableJsonIsBadRequest(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        let params;
        try {
          params = await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError(`The request's JSON cannot be read: ${error.message}`, { extensions: { http: { status: 400 } } });
        }
        // POST bodies are refused by Fastify's parser; a GET's JSON variables come through here.
        if (hasPrototypeKeys(params)) throw createGraphQLError(`The request's JSON: ${PROTOTYPE_KEYS_MESSAGE}`, { extensions: { http: { status: 400 } } });
        return params;
      });
    },
  };
}

/**
 * Refuses an operation whose variables or string literals hold NUL or unpaired surrogates
 * (`"\u0000"` is a valid GraphQL escape): the database would cut the text at the NUL, or fail.
 */
function wellFormedText(): Plugin {
  const refusal = (document: DocumentNode, variables: unknown) => {
    const where = findMalformedText(variables ?? {}) ?? malformedLiteral(document);
    return where ? new GraphQLError(`${where}: ${MALFORMED_TEXT_MESSAGE}`, { extensions: { code: "BAD_USER_INPUT" } }) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

function malformedLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      if (!found && isMalformedText(node.value)) found = "a string literal";
    },
  });
  return found;
}
