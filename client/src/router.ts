import { createRouter, type Router, type RouterHistory } from "vue-router";
import type { Session } from "./composables/useSession.ts";

declare module "vue-router" {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean;
    /** Admins only (the server refuses agents anyway): agents are sent to the inbox. */
    admin?: boolean;
    /** The tab title, before " · Bharat CRM". */
    title?: string;
    /**
     * Keeps one page instance across this route's paths (App.vue keys pages by path otherwise):
     * the inbox must not reload its list and socket whenever another conversation opens.
     */
    pageKey?: string;
    /** The page fills the window below the top bar instead of scrolling as a document. */
    fill?: boolean;
  }
}

const HOME = "/inbox";

/**
 * Where to go after logging in: only a path of this site, so that a crafted
 * `/login?next=https://evil.example` cannot send an agent elsewhere.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return HOME;
  return next;
}

/** Pages the server renders itself (GraphiQL in development): loaded by the browser, not routed. */
export function isServerPage(path: string): boolean {
  return /^\/graphql(?:[/?#]|$)/.test(path);
}

/** Leaves the login page for `next`; the router would send a server page to the inbox instead. */
export function afterLogin(next: string): string | false {
  if (!isServerPage(next)) return next;
  window.location.assign(next);
  return false;
}

/** The user was signed out elsewhere (expired, logged out, deactivated): to the login page, and back here afterwards. */
export function sendToLogin(router: Router) {
  const current = router.currentRoute.value;
  if (!current.meta.public) void router.replace({ name: "login", query: { next: current.fullPath } });
}

function preload(component: unknown) {
  if (typeof component === "function") void (component as () => Promise<unknown>)();
}

/** Pages are loaded on first visit, so the login page does not carry the whole app. */
export function createAppRouter(session: Session, history: RouterHistory) {
  const router = createRouter({
    history,
    routes: [
      { path: "/", redirect: HOME },
      { path: "/login", name: "login", component: () => import("./pages/LoginPage.vue"), meta: { public: true, title: "Log in" } },
      {
        path: "/invite/:token",
        name: "join",
        component: () => import("./pages/JoinPage.vue"),
        props: true,
        meta: { public: true, title: "Join" },
      },
      { path: "/signup", name: "signup", component: () => import("./pages/SignupPage.vue"), meta: { public: true, title: "Sign up" } },
      { path: "/team", name: "team", component: () => import("./pages/TeamPage.vue"), meta: { title: "Team", admin: true } },
      { path: "/settings", name: "settings", component: () => import("./pages/SettingsPage.vue"), meta: { title: "Settings" } },
      {
        path: "/inbox/:id?",
        name: "inbox",
        component: () => import("./pages/InboxPage.vue"),
        props: true,
        meta: { title: "Inbox", pageKey: "inbox", fill: true },
      },
      { path: "/contacts", name: "contacts", component: () => import("./pages/ContactsPage.vue"), meta: { title: "Contacts" } },
      {
        path: "/contacts/new",
        name: "contact-new",
        component: () => import("./pages/ContactFormPage.vue"),
        meta: { title: "New contact" },
      },
      {
        path: "/contacts/:id",
        name: "contact",
        component: () => import("./pages/ContactPage.vue"),
        props: true,
        meta: { title: "Contact" },
      },
      {
        path: "/contacts/:id/edit",
        name: "contact-edit",
        component: () => import("./pages/ContactFormPage.vue"),
        props: true,
        meta: { title: "Edit contact" },
      },
      {
        path: "/settings/workflow",
        name: "workflow-settings",
        component: () => import("./pages/WorkflowSettingsPage.vue"),
        meta: { title: "Labels & replies" },
      },
      {
        path: "/automation",
        name: "automation",
        component: () => import("./pages/AutomationPage.vue"),
        meta: { title: "Automation", admin: true },
      },
      {
        path: "/settings/whatsapp",
        name: "whatsapp-numbers",
        component: () => import("./pages/WhatsAppNumbersPage.vue"),
        meta: { title: "WhatsApp", admin: true },
      },
      {
        path: "/settings/tokens",
        name: "api-tokens",
        component: () => import("./pages/ApiTokensPage.vue"),
        meta: { title: "API tokens" },
      },
      { path: "/campaigns", name: "campaigns", component: () => import("./pages/CampaignsPage.vue"), meta: { title: "Campaigns" } },
      // Lazy like every page: chart.js comes with this chunk only, never with the inbox.
      { path: "/reports", name: "reports", component: () => import("./pages/ReportsPage.vue"), meta: { title: "Reports" } },
      { path: "/:unknown(.*)*", redirect: HOME },
    ],
  });

  router.beforeEach(async (to) => {
    // The page's code downloads while the session is checked, not after: one round trip less
    // before the first screen. (The router resolves the same import again, from the cache.)
    if (!to.meta.public) for (const record of to.matched) preload(record.components?.default);
    await session.ensureLoaded();
    const signedIn = session.user.value !== null;
    if (to.name === "login" && signedIn) return afterLogin(safeNextPath(to.query.next));
    if (!to.meta.public && !signedIn) return { name: "login", query: { next: to.fullPath } };
    if (to.meta.admin && session.user.value?.role !== "ADMIN") return HOME;
    return true;
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Bharat CRM` : "Bharat CRM";
  });

  return router;
}
