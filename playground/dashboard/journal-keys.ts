/**
 * Where a key moves the journal's current row: the row index to go to, `open` (Enter or Space:
 * open the current entry), or null for a key the journal does not handle. `page` is how many
 * rows PageUp/PageDown move. The result is not clamped.
 */
export function journalKeyTarget(key: string, index: number, count: number, page: number): number | 'open' | null {
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return index + 1;
    case 'ArrowUp':
    case 'k':
      return index - 1;
    case 'PageDown':
      return index + page;
    case 'PageUp':
      return index - page;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'Enter':
    case ' ':
      return 'open';
    default:
      return null;
  }
}
