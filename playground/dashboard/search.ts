import type { CryoClient } from '../../src/client/cryo-client.js';
import { threadCursor } from './cursors.js';
import { h, replaceChildren } from './dom.js';
import { count, threadTitle } from './format.js';

/** Threads listed per prefix search. */
const PREFIX_LIMIT = 20;

/**
 * The search box: a query is tried as a thread id prefix (the thread itself, then the ids that
 * sort after it and start with it: the API orders threads by id, so one page read), as an agent
 * type (checkpoints of that type), and, when it contains "/", as "agentType/agentId". No
 * full-text search across threads (the journal's own box searches the entries it has loaded).
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
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      input.value = '';
      replaceChildren(results);
    }
  });

  async function run(query: string): Promise<void> {
    if (query === '') {
      replaceChildren(results);
      return;
    }
    replaceChildren(results, h('li', { class: 'muted' }, 'Searching…'));
    const slash = query.indexOf('/');
    const [exactThread, after, ofType, exact] = await Promise.all([
      client.thread({ id: query, last: 1 }).catch(() => null),
      client.threads({ first: PREFIX_LIMIT, after: threadCursor(query) }).catch(() => null),
      client.checkpoints({ agentType: query, first: 20 }).catch(() => null),
      slash > 0 ? client.checkpoint({ agentType: query.slice(0, slash), agentId: query.slice(slash + 1) }).catch(() => null) : null,
    ]);
    const prefixed = (after?.edges.map((edge) => edge.node) ?? []).filter((thread) => thread.id.startsWith(query));
    const threads = [...(exactThread ? [exactThread] : []), ...prefixed];
    const agents = [...(exact ? [exact] : []), ...(ofType?.edges.map((e) => e.node) ?? [])];
    const items: HTMLElement[] = [];
    for (const thread of threads) {
      const title = threadTitle(thread.metadata);
      items.push(resultItem(`Thread ${thread.id}`, `${title ? `“${title}” · ` : ''}${count(thread.rev)} ${thread.rev === 1 ? 'entry' : 'entries'}`, () => onOpenThread(thread.id)));
    }
    if (prefixed.length === PREFIX_LIMIT) items.push(h('li', { class: 'muted' }, `First ${PREFIX_LIMIT} threads starting with “${query}”; type more to narrow.`));
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
      items.length === 0 ? h('li', { class: 'muted' }, `No thread starts with “${query}”, and no agent is named so.`) : null,
      h('li', {}, h('button', { class: 'link', type: 'button', onclick: () => { input.value = ''; replaceChildren(results); } }, 'clear')),
    );
  }
}

function resultItem(title: string, detail: string, open: (() => void) | null) {
  return h('li', { class: 'search-result' },
    open ? h('button', { class: 'link', type: 'button', onclick: open }, title) : h('span', {}, title),
    h('span', { class: 'muted' }, ` ${detail}`));
}
