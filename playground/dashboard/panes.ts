/** The three panes; on narrow screens one shows at a time. */
export type Pane = 'threads' | 'journal' | 'checkpoints';

/**
 * The pane switcher of narrow screens (below 760 px the layout is one column: the tab bar picks
 * the pane; wider, every pane shows and the bar is hidden by CSS). Returns show(pane).
 */
export function setUpPanes(layout: HTMLElement, tabs: HTMLElement): (pane: Pane) => void {
  const show = (pane: Pane) => {
    layout.dataset.pane = pane;
    for (const button of tabs.querySelectorAll<HTMLButtonElement>('button[data-pane]')) {
      button.setAttribute('aria-selected', String(button.dataset.pane === pane));
    }
  };
  tabs.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-pane]');
    if (button) show(button.dataset.pane as Pane);
  });
  show((layout.dataset.pane as Pane | undefined) ?? 'threads');
  return show;
}
