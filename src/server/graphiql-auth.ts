/**
 * The credential for GraphiQL when the server requires one: a small script put into the page
 * before GraphiQL starts. It asks for a token (an API key or a JWT) on load when the tab has
 * none, keeps it in sessionStorage only, adds `Authorization: Bearer …` to GraphiQL's requests
 * to the GraphQL endpoint and `authorization` to its graphql-ws `connection_init`, asks again on
 * a 401, and shows who you are (namespace · scopes) in a corner badge with a sign-out link. With
 * auth off the page is unchanged. It does NOT protect the page itself (it holds no data).
 */
const SCRIPT = `<script>(() => {
  const KEY = 'cryo.token';
  const ENDPOINT = new URL('/graphql', location.href).pathname;
  const token = () => sessionStorage.getItem(KEY);
  const ask = (why) => {
    const value = window.prompt(why + ' Paste an API key or a JWT (kept for this tab only, in sessionStorage):');
    if (value && value.trim()) sessionStorage.setItem(KEY, value.trim());
    return Boolean(value && value.trim());
  };
  const realFetch = window.fetch.bind(window);
  const withToken = (init) => {
    const headers = new Headers(init && init.headers);
    if (token()) headers.set('authorization', 'Bearer ' + token());
    return Object.assign({}, init, { headers });
  };
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
    if (url.pathname !== ENDPOINT || url.origin !== location.origin) return realFetch(input, init);
    let response = await realFetch(input, withToken(init));
    if (response.status === 401 && ask('Cryo refused the credential (missing, unknown, expired or revoked).')) {
      response = await realFetch(input, withToken(init));
      showViewer();
    }
    return response;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && token()) {
      try {
        const message = JSON.parse(data);
        if (message && message.type === 'connection_init') {
          message.payload = Object.assign({}, message.payload, { authorization: 'Bearer ' + token() });
          data = JSON.stringify(message);
        }
      } catch (e) {}
    }
    return send.call(this, data);
  };
  const showViewer = async () => {
    const response = await realFetch(ENDPOINT, withToken({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { namespace scopes } }' }) }));
    const body = await response.json().catch(() => ({}));
    const viewer = body && body.data && body.data.viewer;
    let badge = document.getElementById('cryo-viewer');
    if (!badge) {
      badge = document.createElement('div');
      badge.id = 'cryo-viewer';
      badge.style.cssText = 'position:fixed;right:12px;bottom:12px;z-index:1000;padding:4px 10px;border-radius:6px;background:#222;color:#eee;font:12px system-ui,sans-serif;opacity:.85';
      document.body.append(badge);
    }
    badge.textContent = viewer ? viewer.namespace + ' · ' + viewer.scopes.join(', ') + ' ' : 'not signed in ';
    const out = document.createElement('a');
    out.href = '#';
    out.textContent = viewer ? 'sign out' : 'sign in';
    out.style.color = '#9cf';
    out.onclick = (event) => {
      event.preventDefault();
      sessionStorage.removeItem(KEY);
      if (!viewer) ask('Sign in to Cryo.');
      location.reload();
    };
    badge.append(out);
  };
  if (!token()) ask('This Cryo server requires a credential.');
  window.addEventListener('DOMContentLoaded', () => void showViewer());
})();</script>`;

/** The GraphiQL page with the credential script when `required`, else unchanged. */
export function withGraphiqlAuth(html: Buffer<ArrayBuffer>, required: boolean): Buffer<ArrayBuffer> {
  if (!required) return html;
  const text = html.toString('utf8');
  const at = text.indexOf('<script');
  const head = text.indexOf('<head>');
  const insertAt = at !== -1 ? at : head !== -1 ? head + '<head>'.length : 0;
  return Buffer.from(text.slice(0, insertAt) + SCRIPT + text.slice(insertAt));
}
