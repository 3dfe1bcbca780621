import { h } from './dom.js';

/**
 * A "Copy" button that puts `text()` on the clipboard and says "Copied" (or "Copy failed" where
 * the page may not write the clipboard, e.g. plain http on another host). Also sets
 * `data-copied` with the text, which tests read instead of the system clipboard.
 */
export function copyButton(label: string, text: () => string): HTMLButtonElement {
  const button = h('button', { class: 'copy', type: 'button' }, label);
  button.addEventListener('click', async () => {
    const value = text();
    button.dataset.copied = value;
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => {
      button.textContent = label;
    }, 1200);
  });
  return button;
}
