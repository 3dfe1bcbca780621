/** Result rows: one figure, its same-run baseline, the ratio and the target verdict. */

/** A target on the row's ratio or on its value itself. */
export interface Target {
  /** What is compared: `ratio` (value / baseline) or the raw `value`. */
  on: 'ratio' | 'value';
  /** `min`: must be ≥ bound; `max`: must be ≤ bound. */
  kind: 'min' | 'max';
  bound: number;
}

/** One line of the results table. */
export interface Row {
  section: string;
  name: string;
  /** The measured figure; null when not measured. */
  value: number | null;
  unit: string;
  /** The same-run baseline this figure is divided by. */
  baseline?: { name: string; value: number | null } | undefined;
  target?: Target | undefined;
  /** Free text: why not measured, how it was measured, or a caveat. */
  note?: string | undefined;
}

/** A row with its ratio and verdict worked out. */
export interface JudgedRow extends Row {
  ratio: number | null;
  status: 'MET' | 'MISSED' | 'not measured' | '';
  /** e.g. "missed by 23%" (relative to the bound); empty when met or without target. */
  gap: string;
}

/** Computes ratio, MET/MISSED and the size of a miss. A row without a value is "not measured". */
export function judge(row: Row): JudgedRow {
  const base = row.baseline?.value;
  const ratio = row.value != null && base != null && base !== 0 ? row.value / base : null;
  if (row.value == null || (row.baseline && base == null)) return { ...row, ratio, status: 'not measured', gap: '' };
  if (!row.target) return { ...row, ratio, status: '', gap: '' };
  const { on, kind, bound } = row.target;
  const subject = on === 'ratio' ? ratio : row.value;
  if (subject == null) return { ...row, ratio, status: 'not measured', gap: '' };
  const met = kind === 'min' ? subject >= bound : subject <= bound;
  const off = Math.abs(subject - bound) / bound;
  return { ...row, ratio, status: met ? 'MET' : 'MISSED', gap: met ? '' : `missed by ${(off * 100).toFixed(0)}%` };
}

/** Formats a figure with a sensible number of digits (null → "—"). */
export function fmt(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** "≥ 0.8×", "≤ 100 ms", … */
export function describeTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  const op = target.kind === 'min' ? '≥' : '≤';
  return target.on === 'ratio' ? `${op} ${target.bound}×` : `${op} ${target.bound} ${unit}`;
}

const HEADERS = ['section', 'measurement', 'value', 'baseline (same run)', 'ratio', 'target', 'status'] as const;

function cells(row: JudgedRow): string[] {
  const baseline = row.baseline ? `${fmt(row.baseline.value)} ${row.unit} (${row.baseline.name})` : '';
  const status = [row.status, row.gap].filter(Boolean).join(', ');
  return [
    row.section,
    row.name,
    row.value == null ? 'not measured' : `${fmt(row.value)} ${row.unit}`,
    baseline,
    row.ratio == null ? '' : `${row.ratio.toFixed(2)}×`,
    describeTarget(row.target, row.unit),
    status,
  ];
}

/** A fixed-width text table for the terminal, notes listed under it. */
export function formatText(rows: readonly JudgedRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((s, i) => s.padEnd(widths[i]!)).join('  ').trimEnd();
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.section} / ${r.name}: ${r.note}`);
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', 'Notes:', ...notes].join('\n');
}

/** The same table in Markdown, with a notes column. */
export function formatMarkdown(rows: readonly JudgedRow[]): string {
  const escape = (s: string): string => s.replace(/\|/g, '\\|');
  const head = `| ${[...HEADERS, 'notes'].join(' | ')} |`;
  const rule = `|${[...HEADERS, 'notes'].map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${[...cells(r), r.note ?? ''].map(escape).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}
