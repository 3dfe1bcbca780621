import type { ThreadFieldsFragment } from '../../src/client/gql/graphql.js';
import { h } from './dom.js';
import { fullDate, threadTitle, timeAgo } from './format.js';
import { jsonView } from './json-view.js';

/**
 * The journal's header: the thread id, its metadata title, created / last entry (full dates on
 * hover), its metadata as a foldable tree, and the badges (rev and stream status) it is given.
 */
export function journalHeader(threadId: string, head: ThreadFieldsFragment | null, badges: HTMLElement[]): HTMLElement {
  const title = head ? threadTitle(head.metadata) : null;
  const metadataKeys = head ? Object.keys(head.metadata).length : 0;
  return h('header', { class: 'panel-header' },
    h('div', { class: 'journal-heading' },
      h('h2', { id: 'journal-title' }, threadId),
      title ? h('span', { class: 'thread-title', id: 'journal-thread-title' }, title) : null,
      head
        ? h('p', { class: 'muted' },
            h('span', { title: fullDate(head.createdAt) }, `created ${timeAgo(head.createdAt)}`), ' · ',
            h('span', { title: fullDate(head.updatedAt) }, `last entry ${timeAgo(head.updatedAt)}`))
        : h('p', { class: 'muted' }, 'This thread has no entries yet: waiting for the first one.'),
      head && metadataKeys > 0 ? h('details', { class: 'metadata' }, h('summary', {}, `metadata · ${metadataKeys} keys`), jsonView(head.metadata)) : null),
    h('div', { class: 'badges' }, ...badges));
}
