import type { Minute } from './activity.js';
import { kindClass } from './entry-drawer.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/**
 * An SVG strip of entries per minute, one stacked bar per minute (oldest left), coloured by
 * kind like the kind chips; hovering a bar tells its minute (UTC) and counts. Scaled to the
 * busiest minute.
 */
export function activityStrip(minutes: Minute[], options: { width: number; height: number; partial?: boolean }): SVGSVGElement {
  const { width, height } = options;
  const total = minutes.reduce((sum, minute) => sum + minute.total, 0);
  const peak = Math.max(1, ...minutes.map((minute) => minute.total));
  const barWidth = width / minutes.length;
  const label = `${options.partial ? 'at least ' : ''}${total} entries in the last hour${total ? `, busiest minute ${peak}` : ''}`;
  const root = svg('svg', { class: 'activity', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, preserveAspectRatio: 'none', 'data-total': total });
  root.append(svg('title', {}, label));
  root.append(svg('line', { class: 'activity-base', x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5 }));
  minutes.forEach((minute, i) => {
    if (minute.total === 0) return;
    const group = svg('g', { class: 'activity-minute' });
    const kinds = [...minute.byKind.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    group.append(svg('title', {}, `${hhmm(minute.start)} UTC · ${minute.total} entries: ${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')}`));
    let y = height;
    for (const [kind, n] of kinds) {
      const barHeight = Math.max(1, (n / peak) * (height - 2));
      y -= barHeight;
      group.append(svg('rect', { class: `bar ${kindClass(kind)}`, x: i * barWidth + 0.5, y, width: Math.max(1, barWidth - 1), height: barHeight }));
    }
    root.append(group);
  });
  return root;
}

/** The one-line caption of a strip: total and busiest minute. */
export function activityCaption(minutes: Minute[], partial = false): string {
  const total = minutes.reduce((sum, minute) => sum + minute.total, 0);
  const peak = Math.max(0, ...minutes.map((minute) => minute.total));
  return `${partial ? 'at least ' : ''}${total} ${total === 1 ? 'entry' : 'entries'} in the last hour · busiest minute ${peak} · entries per minute by kind`;
}
