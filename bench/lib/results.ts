import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { formatMarkdown, type JudgedRow } from './table.js';

/** Where and how a run happened. */
export interface RunInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** ISO time the run started. */
  date: string;
  /** The exact command line, e.g. "npm run bench -- --quick". */
  command: string;
  mode: 'quick' | 'full';
  /** Wall-clock seconds the whole run took. */
  seconds?: number;
}

/** Machine facts from `os` and `process` (model of the first CPU, logical core count, total memory). */
export function machineInfo(command: string, mode: 'quick' | 'full'): RunInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: new Date().toISOString(),
    command,
    mode,
  };
}

/** Text written before and after the table (method and analysis), in Markdown. */
export interface ResultsText {
  method: string;
  analysis: string;
}

/**
 * Writes the results file: run facts, the table, then the method and analysis text. Overwrites
 * `path`. Does not interpret the figures itself.
 */
export async function writeResults(path: string, info: RunInfo, rows: readonly JudgedRow[], text: ResultsText): Promise<void> {
  const missed = rows.filter((r) => r.status === 'MISSED');
  const unmeasured = rows.filter((r) => r.status === 'not measured');
  const md = [
    '# Benchmark results',
    '',
    `Written by \`${info.command}\` (${info.mode} run). Do not edit by hand: rerun the command.`,
    '',
    `- Machine: ${info.cpu}, ${info.cores} logical cores, ${info.memoryGiB} GiB memory`,
    `- Node: ${info.node}`,
    `- Date: ${info.date}${info.seconds ? ` (took ${Math.round(info.seconds)} s)` : ''}`,
    `- Command: \`${info.command}\``,
    '',
    'Each figure sits beside a baseline measured in the same run on the same machine; the ratio is',
    'figure / baseline. Absolute numbers are for context only: this machine is shared and noisy.',
    '',
    formatMarkdown(rows),
    '',
    `Targets: ${rows.filter((r) => r.status === 'MET').length} met, ${missed.length} missed, ${unmeasured.length} not measured.`,
    ...missed.map((r) => `- MISSED: ${r.section} / ${r.name}: ${r.gap}${r.note ? ` (${r.note})` : ''}`),
    ...unmeasured.map((r) => `- not measured: ${r.section} / ${r.name}${r.note ? `: ${r.note}` : ''}`),
    '',
    '## Method',
    '',
    text.method.trim(),
    '',
    '## Analysis',
    '',
    text.analysis.trim(),
    '',
  ].join('\n');
  await writeFile(path, md);
}
