import urql from "@urql/vue";
import { createApp } from "vue";
import { createWebHistory } from "vue-router";
import App from "./App.vue";
import { prefetchConversationList } from "./composables/conversationListPrefetch.ts";
import { useSession } from "./composables/useSession.ts";
import { createLiveSocket, LIVE_SOCKET_STATUS } from "./liveSocket.ts";
import { createAppRouter, sendToLogin } from "./router.ts";
import "./styles/global.css";
import { createAppGraphQLClient } from "./urql.ts";

const session = useSession();
const router = createAppRouter(session, createWebHistory());
const socket = createLiveSocket();
const client = createAppGraphQLClient(session, router, socket);
// The server closed the socket because this user's access ended or changed: ask who we are now.
// Signed out (deactivated, session ended) goes to the login page at once; a new role shows.
socket.onAccessLost(async () => {
  await session.refresh();
  if (!session.user.value) sendToLogin(router);
});

// Runs after the router's own guard has loaded the session. Entering the inbox, its list is asked
// for now, while the page's code still loads and starts, rather than once the page has started.
router.beforeEach((to, from) => {
  const user = session.user.value;
  if (to.name === "inbox" && from.name !== "inbox" && user) prefetchConversationList(client.value, user.id);
});

createApp(App).use(router).use(urql, client).provide(LIVE_SOCKET_STATUS, socket.status).mount("#app");
