import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type Exchange } from "@urql/vue";
import { shallowRef, watch, type ShallowRef } from "vue";
import type { Router } from "vue-router";
import type { Session } from "./composables/useSession.ts";
import type { LiveSocket } from "./liveSocket.ts";
import { sendToLogin } from "./router.ts";

export interface GraphQLClientOptions {
  /** Read at every request: the token changes when another user logs in. */
  csrfToken: () => string | null;
  /** The server answered 401: the session expired or was revoked elsewhere. */
  onUnauthorized: () => void;
  /** Where subscriptions go (the graphql-ws socket); without it the client only queries. */
  socket?: Pick<LiveSocket, "forward">;
}

export function createGraphQLClient({ csrfToken, onUnauthorized, socket }: GraphQLClientOptions) {
  const subscriptions: Exchange[] = socket ? [subscriptionExchange({ forwardSubscription: socket.forward })] : [];
  return new Client({
    url: "/graphql",
    // POST even for queries: the server refuses cookie-authenticated writes without the CSRF
    // header anyway, and a private answer has no business in the browser's HTTP cache.
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const token = csrfToken();
      const headers: Record<string, string> = token ? { "X-CSRF-Token": token } : {};
      return { credentials: "same-origin", headers };
    },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          const response: unknown = error.response;
          if (response instanceof Response && response.status === 401) onUnauthorized();
        },
      }),
      ...subscriptions,
      fetchExchange,
    ],
  });
}

/**
 * The app's GraphQL client, replaced by a fresh one whenever a user signs in so that nobody
 * is ever shown answers cached for the previous user of this tab. A 401 sends the agent to
 * the login page, and back to where they were afterwards. Subscriptions go over `socket`.
 */
export function createAppGraphQLClient(session: Session, router: Router, socket?: LiveSocket): ShallowRef<Client> {
  // urql calls fetchOptions inside useQuery's watchEffect: reading the reactive token there
  // would re-run every live query whenever it changes (at logout, straight into a 401).
  let csrfToken = session.csrfToken.value;
  watch(session.csrfToken, (token) => (csrfToken = token), { flush: "sync" });
  const create = () =>
    createGraphQLClient({
      socket,
      csrfToken: () => csrfToken,
      onUnauthorized() {
        session.clear();
        sendToLogin(router);
      },
    });
  const client = shallowRef(create());
  watch(
    () => session.user.value?.id,
    (userId, previousUserId) => {
      if (!userId || userId === previousUserId) return;
      client.value = create();
      // An open socket still speaks for the previous user: reconnect with the new cookie.
      socket?.restart();
    },
  );
  return client;
}
