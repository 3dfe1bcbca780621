/** Summaries of a V8 CPU profile (`.cpuprofile`, what `node --cpu-prof` and node:inspector write). */

/** The parts of a V8 CPU profile this module reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** One row of a summary: a frame (or a package) and its share of the sampled time. */
export interface FrameShare {
  name: string;
  /** Self time (the frame on top of the stack), % of all samples. */
  selfPct: number;
  /** Inclusive time (the frame anywhere on the stack, counted once per sample), % of all samples. */
  totalPct: number;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const at = url.lastIndexOf('/node_modules/');
  const file = at >= 0 ? url.slice(at + 14) : url.replace(/^.*\/(src|bench|test)\//, '$1/').replace(/^node:/, 'node:');
  const fn = frame.functionName || '(anonymous)';
  return file ? `${fn} ${file}:${frame.lineNumber + 1}` : fn;
}

/** The package of a frame: `graphql`, `@whatwg-node/server`, `src/schema`, `node:internal`, or the V8 pseudo-frame. */
export function packageOf(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const at = url.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  const m = /\/(src|bench|test)\/([^/]+)/.exec(url);
  return m ? `${m[1]}/${m[2]!.replace(/\.ts$/, '')}` : url;
}

/**
 * Self and inclusive time per frame (`by: 'frame'`) or per package (`by: 'package'`), largest
 * self time first. Time is weighted by the sample deltas; `(idle)` and `(program)` are kept so
 * shares add up to the whole window. It does NOT merge frames of one function seen at two lines.
 */
export function summarize(profile: CpuProfile, by: 'frame' | 'package', top = 20): FrameShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (id: number): string => {
    const frame = byId.get(id)!.callFrame;
    return by === 'frame' ? frameName(frame) : packageOf(frame);
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    all += dt;
    const top = key(id);
    self.set(top, (self.get(top) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(at);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const pct = (v: number | undefined): number => (100 * (v ?? 0)) / Math.max(1, all);
  return [...total.keys()]
    .map((name) => ({ name, selfPct: pct(self.get(name)), totalPct: pct(total.get(name)) }))
    .sort((a, b) => b.selfPct - a.selfPct)
    .slice(0, top);
}

/** Inclusive share (% of samples) of every frame whose name contains `needle`, counted once per sample. */
export function inclusiveShare(profile: CpuProfile, needle: (name: string) => boolean): number {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let hit = 0;
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    all += dt;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (needle(frameName(byId.get(at)!.callFrame))) {
        hit += dt;
        break;
      }
    }
  });
  return (100 * hit) / Math.max(1, all);
}
