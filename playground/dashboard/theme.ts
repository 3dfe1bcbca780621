/** The reader's choice: follow the OS (`auto`, from prefers-color-scheme), or force one. */
export type Theme = 'auto' | 'light' | 'dark';

const KEY = 'cryo-dashboard-theme';
const ORDER: Theme[] = ['auto', 'light', 'dark'];
const LABELS: Record<Theme, string> = { auto: '◐ Auto', light: '☀ Light', dark: '☾ Dark' };

function stored(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'auto';
  } catch {
    return 'auto';
  }
}

/**
 * Applies the saved theme (`data-theme` on <html>; the CSS follows prefers-color-scheme when it
 * is `auto`) and makes `button` cycle Auto → Light → Dark, remembered in localStorage.
 */
export function setUpTheme(button: HTMLButtonElement): void {
  const apply = (theme: Theme) => {
    document.documentElement.dataset.theme = theme;
    button.textContent = LABELS[theme];
    button.title = `Theme: ${theme === 'auto' ? 'follows your system' : theme} (click to change)`;
  };
  apply(stored());
  button.addEventListener('click', () => {
    const next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length]!;
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    apply(next);
  });
}
