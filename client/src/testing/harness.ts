// Test helpers: a component context for composables, a router, and a fake GraphQL server.
import urql, { Client, fetchExchange, subscriptionExchange, type Exchange, type ExecutionResult } from "@urql/vue";
import { mount, type VueWrapper } from "@vue/test-utils";
import { vi } from "vitest";
import { defineComponent, h, type Plugin } from "vue";
import { createMemoryHistory, createRouter, type Router } from "vue-router";

const Blank = defineComponent({ render: () => h("div") });

/** Every route the client links to, each rendering nothing: enough for RouterLink and navigation. */
export function createTestRouter(): Router {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/", component: Blank },
      { path: "/login", name: "login", component: Blank },
      { path: "/inbox/:id?", name: "inbox", component: Blank },
      { path: "/contacts", name: "contacts", component: Blank },
      { path: "/contacts/new", name: "contact-new", component: Blank },
      { path: "/contacts/:id", name: "contact", component: Blank },
      { path: "/contacts/:id/edit", name: "contact-edit", component: Blank },
      { path: "/settings/workflow", name: "workflow-settings", component: Blank },
    ],
  });
}

export interface GraphQLRequestSeen {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Headers;
}

/** Subscriptions the test drives: `push(operationName, data)` delivers an event to every subscriber of it. */
export function fakeSubscriptions() {
  const subscribers = new Set<{ operationName: string; next: (result: ExecutionResult) => void }>();
  const exchange: Exchange = subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe(sink) {
        const subscriber = { operationName: request.operationName ?? "", next: (result: ExecutionResult) => sink.next(result) };
        subscribers.add(subscriber);
        return { unsubscribe: () => void subscribers.delete(subscriber) };
      },
    }),
  });
  return {
    exchange,
    push(operationName: string, data: Record<string, unknown>) {
      for (const subscriber of subscribers) if (subscriber.operationName === operationName) subscriber.next({ data });
    },
    count: (operationName: string) => [...subscribers].filter((subscriber) => subscriber.operationName === operationName).length,
  };
}

/**
 * Answers each GraphQL request with `respond(operationName, variables)` as `{ data }`;
 * subscriptions go to `subscriptions` when given (see fakeSubscriptions).
 */
export function fakeGraphQLServer(
  respond: (operationName: string, variables: Record<string, unknown>) => unknown,
  subscriptions?: { exchange: Exchange },
) {
  const requests: GraphQLRequestSeen[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body: { operationName: string; variables?: Record<string, unknown> } = JSON.parse(String(init?.body));
    const variables = body.variables ?? {};
    requests.push({ operationName: body.operationName, variables, headers: new Headers(init?.headers) });
    const data = await respond(body.operationName, variables);
    return new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/json" } });
  });
  const exchanges = subscriptions ? [subscriptions.exchange, fetchExchange] : [fetchExchange];
  const client = new Client({ url: "http://localhost/graphql", exchanges, fetch, preferGetMethod: false });
  return { client, requests, fetch };
}

/** Runs a composable inside a mounted component (with router and GraphQL client) and returns what it returned. */
export function withSetup<T>(composable: () => T, plugins: { router?: Router; client?: Client } = {}) {
  let result: T | undefined;
  const Host = defineComponent({
    setup() {
      result = composable();
      return () => h("div");
    },
  });
  const installed: (Plugin | [Plugin, Client])[] = [];
  if (plugins.router) installed.push(plugins.router);
  if (plugins.client) installed.push([urql, plugins.client]);
  const wrapper: VueWrapper = mount(Host, { global: { plugins: installed } });
  if (result === undefined) throw new Error("the composable returned nothing");
  return { result, wrapper };
}

/** A promise the test resolves by hand: to hold a fake server's answer back. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
