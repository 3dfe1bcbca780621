import type { CryoClient } from '../../src/client/cryo-client.js';
import { h, replaceChildren } from './dom.js';

/**
 * The search box: a query is tried as a thread id, as an agent type (checkpoints of that type),
 * and, when it contains "/", as "agentType/agentId". Exact matches only; no full-text search.
 */
export function setUpSearch(
  client: CryoClient,
  form: HTMLFormElement,
  input: HTMLInputElement,
  results: HTMLElement,
  onOpenThread: (threadId: string) => void,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(input.value.trim());
  });

  async function run(query: string): Promise<void> {
    if (query === '') {
      replaceChildren(results);
      return;
    }
    replaceChildren(results, h('li', { class: 'muted' }, 'Searching…'));
    const slash = query.indexOf('/');
    const [thread, ofType, exact] = await Promise.all([
      client.thread({ id: query, last: 1 }).catch(() => null),
      client.checkpoints({ agentType: query, first: 20 }).catch(() => null),
      slash > 0 ? client.checkpoint({ agentType: query.slice(0, slash), agentId: query.slice(slash + 1) }).catch(() => null) : null,
    ]);
    const agents = [...(exact ? [exact] : []), ...(ofType?.edges.map((e) => e.node) ?? [])];
    const items: HTMLElement[] = [];
    if (thread) items.push(resultItem(`Thread ${thread.id}`, `rev ${thread.rev}`, () => onOpenThread(thread.id)));
    for (const agent of agents) {
      const pointer = agent.thread;
      items.push(
        resultItem(
          `Agent ${agent.agentType}/${agent.agentId}`,
          pointer ? `→ ${pointer.id} @ rev ${pointer.rev}` : 'no thread',
          pointer ? () => onOpenThread(pointer.id) : null,
        ),
      );
    }
    replaceChildren(
      results,
      ...items,
      items.length === 0 ? h('li', { class: 'muted' }, `Nothing named “${query}”.`) : null,
      h('li', {}, h('button', { class: 'link', onclick: () => { input.value = ''; replaceChildren(results); } }, 'clear')),
    );
  }
}

function resultItem(title: string, detail: string, open: (() => void) | null) {
  return h('li', { class: 'search-result' },
    open ? h('button', { class: 'link', onclick: open }, title) : h('span', {}, title),
    h('span', { class: 'muted' }, ` ${detail}`));
}
