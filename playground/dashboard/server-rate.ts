import type { CryoClient } from '../../src/client/cryo-client.js';
import type { TypedDocument } from '../../src/client/http.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Threads summed per sample (one request; the API's page limit). */
const SAMPLED_THREADS = 500;
/** Samples kept (at one per 5 s refresh: five minutes). */
const KEEP = 60;

const RevsDocument = {
  toString: () => `query ThreadRevs($first: Int) { threads(first: $first) { pageInfo { hasNextPage } edges { node { id rev createdAt } } } }`,
} as TypedDocument<
  { threads: { pageInfo: { hasNextPage: boolean }; edges: { node: { id: string; rev: number; createdAt: string } }[] } },
  { first: number }
>;

/**
 * Entries appended per second on the server, estimated from thread revs: each sample reads the
 * revs of the first 500 threads (by id) and counts what each grew by since the previous sample
 * (a thread created since then counts all its entries). It does NOT see threads beyond those
 * 500, nor entries of a thread deleted between two samples; the chart says so when it is cut.
 */
export class ServerRate {
  #previous: { at: number; revs: Map<string, { rev: number; createdAt: string }> } | null = null;
  #samples: { at: number; rate: number }[] = [];
  #cut = false;
  #element: HTMLElement;
  #intervalMs: number;

  /** `intervalMs`: how often the page calls sample() (for the chart's caption). */
  constructor(element: HTMLElement, intervalMs: number) {
    this.#element = element;
    this.#intervalMs = intervalMs;
  }

  /** Takes one sample and redraws. Throws what the client throws (the caller reports it). */
  async sample(client: CryoClient): Promise<void> {
    const data = await client.request(RevsDocument, { first: SAMPLED_THREADS });
    const at = Date.now();
    const revs = new Map(data.threads.edges.map((edge) => [edge.node.id, { rev: edge.node.rev, createdAt: edge.node.createdAt }]));
    this.#cut = data.threads.pageInfo.hasNextPage;
    const previous = this.#previous;
    if (previous) {
      let appended = 0;
      for (const [id, now] of revs) {
        const before = previous.revs.get(id);
        if (before && before.createdAt === now.createdAt) appended += Math.max(0, now.rev - before.rev);
        else if (Date.parse(now.createdAt) >= previous.at - 1000) appended += now.rev;
      }
      this.#samples.push({ at, rate: appended / ((at - previous.at) / 1000) });
      if (this.#samples.length > KEEP) this.#samples.shift();
    }
    this.#previous = { at, revs };
    this.#render();
  }

  /** The latest rate (entries/s), or null before two samples. */
  get latest(): number | null {
    return this.#samples.at(-1)?.rate ?? null;
  }

  #render(): void {
    const width = 120;
    const height = 26;
    const latest = this.latest;
    const peak = Math.max(1, ...this.#samples.map((s) => s.rate));
    const step = width / (KEEP - 1);
    const offset = KEEP - this.#samples.length;
    const points = this.#samples.map((s, i) => `${((offset + i) * step).toFixed(1)},${(height - 1 - (s.rate / peak) * (height - 3)).toFixed(1)}`);
    const chart = document.createElementNS(SVG, 'svg');
    const seconds = this.#intervalMs / 1000;
    const title = `Entries appended per second over the last ${Math.round(KEEP * seconds)} s (sampled every ${seconds} s from the revs of ${this.#cut ? `the first ${SAMPLED_THREADS} threads only` : 'all threads'}); peak ${peak.toFixed(1)}/s`;
    chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
    chart.setAttribute('width', String(width));
    chart.setAttribute('height', String(height));
    chart.setAttribute('class', 'rate-chart');
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', title);
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    chart.append(t);
    if (points.length > 1) {
      const area = document.createElementNS(SVG, 'polygon');
      area.setAttribute('points', `${points[0]!.split(',')[0]},${height} ${points.join(' ')} ${points.at(-1)!.split(',')[0]},${height}`);
      area.setAttribute('class', 'rate-area');
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', points.join(' '));
      line.setAttribute('class', 'rate-line');
      chart.append(area, line);
    }
    const value = document.createElement('span');
    value.className = 'rate-value';
    value.id = 'append-rate';
    value.dataset.rate = latest === null ? '' : latest.toFixed(2);
    value.textContent = latest === null ? '… appends/s' : `${latest < 10 ? latest.toFixed(1) : Math.round(latest)} appends/s${this.#cut ? '*' : ''}`;
    this.#element.title = title;
    this.#element.replaceChildren(chart, value);
  }
}
