/**
 * Access for the dashboard: when the server requires a credential, asks for one (an API key or a
 * JWT) in a small dialog, keeps it in sessionStorage only (gone when the tab closes; never
 * localStorage, never a cookie), and shows who you are (namespace · scopes) in the top bar with
 * a "Sign out" button. With auth off (loopback) it asks nothing and shows "auth off".
 */

const STORAGE_KEY = 'cryo.token';
const VIEWER = '{ viewer { namespace scopes authenticated expiresAt } }';

/** What `viewer` answered. */
export interface Viewer {
  namespace: string;
  scopes: string[];
  authenticated: boolean;
  expiresAt: string | null;
}

/** The token of this browser tab, or null. */
export function sessionToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

async function askViewer(graphqlUrl: string, token: string | null): Promise<Viewer | 'unauthenticated'> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: VIEWER }),
  });
  if (response.status === 401) return 'unauthenticated';
  const body = (await response.json()) as { data?: { viewer?: Viewer }; errors?: { message: string }[] };
  if (!body.data?.viewer) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return body.data.viewer;
}

/** Shows the sign-in dialog; resolves with the token typed. */
function promptForToken(message: string): Promise<string> {
  const dialog = document.createElement('dialog');
  dialog.id = 'sign-in';
  dialog.className = 'sign-in';
  dialog.innerHTML = `
    <form method="dialog">
      <h2>Sign in to Cryo</h2>
      <p class="sign-in-message"></p>
      <label>API key or JWT <input name="token" type="password" autocomplete="off" required /></label>
      <p class="muted">Kept for this browser tab only (sessionStorage).</p>
      <button type="submit">Sign in</button>
    </form>`;
  dialog.querySelector('.sign-in-message')!.textContent = message;
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.querySelector('form')!.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = (dialog.querySelector('input') as HTMLInputElement).value.trim();
      if (!value) return;
      dialog.close();
      dialog.remove();
      resolve(value);
    });
  });
}

/** Puts "namespace · scopes" (and a Sign out button when signed in) into the top bar. */
function showViewer(viewer: Viewer): void {
  const badge = document.createElement('span');
  badge.id = 'viewer';
  badge.className = 'viewer muted';
  badge.textContent = viewer.authenticated ? `${viewer.namespace} · ${viewer.scopes.join(', ')}` : 'auth off';
  badge.title = viewer.expiresAt ? `credential expires ${viewer.expiresAt}` : '';
  const bar = document.querySelector('header nav') ?? document.querySelector('header') ?? document.body;
  bar.prepend(badge);
  if (viewer.authenticated) {
    const out = document.createElement('button');
    out.id = 'sign-out';
    out.type = 'button';
    out.textContent = 'Sign out';
    out.addEventListener('click', () => {
      sessionStorage.removeItem(STORAGE_KEY);
      location.reload();
    });
    badge.after(out);
  }
}

/**
 * Resolves once the dashboard may call the server: at once when auth is off or the tab's token
 * works, else after the user typed a token the server accepts (asking again while it refuses).
 */
export async function ensureAccess(graphqlUrl: string): Promise<Viewer> {
  let message = 'This server requires a credential.';
  for (;;) {
    const answer = await askViewer(graphqlUrl, sessionToken());
    if (answer !== 'unauthenticated') {
      showViewer(answer);
      return answer;
    }
    if (sessionToken()) message = 'The server refused that credential (unknown, expired or revoked). Try another.';
    sessionStorage.removeItem(STORAGE_KEY);
    sessionStorage.setItem(STORAGE_KEY, await promptForToken(message));
  }
}
