/**
 * Fixes applied to Yoga's self-contained GraphiQL page (see renderCryoGraphiQL), each small and
 * checked by test/browser/graphiql.test.ts:
 *
 * - **JSON scalars in the variables editor.** GraphiQL validates the variables JSON against a
 *   JSON schema built by graphql-language-service, which types every custom scalar it does not
 *   know as string | number | boolean: an object in a `JSONObject` variable (a thread's
 *   `metadata`, an entry's `payload`) got a false red squiggle. GraphiQL passes no custom scalar
 *   schemas to it (and a description or `@specifiedBy` on the scalar is not read), so the page's
 *   copy of that table gets `JSON` (any value) and `JSONObject` (an object).
 * - **Tabs that fit.** The saved operations are 19 tabs: they wrap onto more rows instead of
 *   running off-screen.
 * - **Every subscription event, in order.** GraphiQL shows only a subscription's latest result;
 *   a WebSocket wrapper (installed before GraphiQL starts) rewrites each `next` message of a
 *   subscription so the result pane shows all events so far, oldest first (the last 500).
 *
 * A patch whose anchor is missing (another GraphiQL build) is skipped, never half-applied;
 * patchGraphiQLPage reports which were applied.
 */

const SCALAR_TABLE_ANCHOR = 'defaultScalarTypesMap = {';

/** JSON schemas for the API's JSON scalars, as the language service's scalar table expects. */
const SCALAR_SCHEMAS =
  ' JSON: { oneOf: [{ type: "object" }, { type: "array" }, { type: ["string", "number", "boolean"] }], description: "Any JSON value" },' +
  ' JSONObject: { type: "object", description: "A JSON object" },';

const TAB_CSS = `
<style id="cryo-graphiql-fixes">
  .graphiql-container .graphiql-session-header { height: auto; min-height: var(--session-header-height); align-items: flex-start; }
  .graphiql-container .graphiql-tabs { flex-wrap: wrap; overflow: visible; row-gap: 4px; }
  .graphiql-container .graphiql-tab-button { max-width: 16ch; overflow: hidden; text-overflow: ellipsis; }
</style>`;

/**
 * Runs in the page before GraphiQL (plain JS, not compiled: see "Every subscription event"
 * above). graphql-ws reads messages through `onmessage` and only their `data`.
 */
const SUBSCRIPTION_LOG = `(() => {
  const Native = window.WebSocket;
  const KEEP = 500;
  const SUBSCRIPTION = /^\\s*subscription\\b/m;
  class CryoWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.cryoSubscriptions = new Map();
    }
    send(data) {
      if (typeof data === 'string') {
        try {
          const message = JSON.parse(data);
          if (message.type === 'subscribe' && message.id && SUBSCRIPTION.test((message.payload && message.payload.query) || '')) {
            this.cryoSubscriptions.set(message.id, { name: message.payload.operationName || 'subscription', events: [], dropped: 0 });
          } else if (message.type === 'complete' && message.id) this.cryoSubscriptions.delete(message.id);
        } catch {}
      }
      super.send(data);
    }
    set onmessage(listener) {
      super.onmessage = listener ? (event) => listener.call(this, this.cryoRewrite(event)) : null;
    }
    get onmessage() {
      return super.onmessage;
    }
    cryoRewrite(event) {
      if (typeof event.data !== 'string') return event;
      let message;
      try { message = JSON.parse(event.data); } catch { return event; }
      const log = message.id ? this.cryoSubscriptions.get(message.id) : undefined;
      if (!log) return event;
      if (message.type === 'error' || message.type === 'complete') {
        this.cryoSubscriptions.delete(message.id);
        return event;
      }
      if (message.type !== 'next' || !message.payload) return event;
      log.events.push(message.payload);
      if (log.events.length > KEEP) { log.events.shift(); log.dropped++; }
      const total = log.events.length + log.dropped;
      const payload = {
        subscription: log.name + ': ' + total + (total === 1 ? ' event' : ' events') + ' so far, oldest first' +
          (log.dropped ? ' (the first ' + log.dropped + ' are no longer shown)' : ''),
        events: log.events.map((result, i) => Object.assign({ '#': log.dropped + i + 1 }, result)),
      };
      return { data: JSON.stringify(Object.assign({}, message, { payload })) };
    }
  }
  window.WebSocket = CryoWebSocket;
})();`;

/**
 * Applies the fixes to a rendered GraphiQL page. Returns the page and the names of the fixes
 * applied (`scalars`, `tabs`, `subscriptions`).
 */
export function patchGraphiQLPage(html: string): { html: string; applied: string[] } {
  const applied: string[] = [];
  let out = html;
  if (out.includes(SCALAR_TABLE_ANCHOR)) {
    // The worker's source sits in the page as a JSON string literal: escape what is inserted the same way.
    out = out.replace(SCALAR_TABLE_ANCHOR, SCALAR_TABLE_ANCHOR + JSON.stringify(SCALAR_SCHEMAS).slice(1, -1));
    applied.push('scalars');
  }
  if (out.includes('</head>')) {
    const script = `<script id="cryo-subscription-log">${SUBSCRIPTION_LOG}</script>`;
    out = out.replace('</head>', `${TAB_CSS}\n${script}\n</head>`);
    applied.push('tabs', 'subscriptions');
  }
  return { html: out, applied };
}
