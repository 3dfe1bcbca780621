import { fmt, type JudgedRow } from './table.js';

/** How each section measures, for the results file. Static: it describes the code, not a run. */
export const METHOD_TEXT = `
- **HTTP.** Every server runs inside the benchmark process; the load generator is the autocannon
  CLI in a **child process** (32 connections, keep-alive, one request body per case), so it does not
  share the server's event loop — but on 2 cores the two processes still compete for CPU, so the
  absolute req/s are lower than on a machine where the client runs elsewhere. Each case gets one
  checked request (the response must be a success), ~300 in-process warm-up requests and (full
  run) an unmeasured 1-second autocannon run first;
  append cases are checked afterwards against storage (appends stored ≥ 2xx counted). Cases run
  interleaved for the configured rounds and the best run of each counts. Cryo runs \`buildApp\`
  with production settings (no GraphiQL, no introspection, masked errors, armor limits, body
  limit) and log level warn/silent. "Stock Yoga" is \`createYoga\` with defaults and
  \`type Query { hello: String }\` on \`node:http\`. "Bare node:http" parses the JSON body and
  calls the same storage instance's \`appendEntries\` (which still validates), no GraphQL.
  The target rows for appendEntries come from bench/http-append.ts (\`benchHttpAppend\`: its own
  server with auth on — an API key in every request — and metrics on, and a bare node:http append
  on another memory storage; rounds of \`{ __typename }\`, appendEntries, bare append back to back).
  Server CPU per request is the benchmark process's CPU time (all threads, user + system) during a
  run ÷ its responses; the CPU row gives the medians over rounds, the req/s rows the best runs.
  bench/http-baselines.ts measures appendEntries without auth again as a second sample.
- **Storage.** In process, one entry of ~100 bytes per append. Throughput: N concurrent writers,
  each on its own thread, bounded by time. File figures come from bench/file-storage.ts
  (\`benchFileStorage\`: every append durable before it resolves; appends per fsync = 1 / fsync
  or fdatasync calls per append; the full run measures both durability modes, the target applies
  to the default, 'wal'). Append cost: a 100-entry and a 100,000-entry journal are built
  with 1,000-entry appends, then single-entry appends alternate between them (ABBA order) and the
  medians are compared. Checkpoints: 32 agents each looping put (~1 KB state) then get. Thaw:
  \`thaw()\` from src/persist.ts on a checkpoint pointing at a 10,000-entry thread, then
  \`readTail(50)\`; the baseline is the same on a 100-entry thread. File open: bench/file-storage.ts
  (\`benchFileOpen\`) writes 200,000 entries over 10 threads, closes, and times the reopen (every
  journal is scanned to rebuild heads and indexes).
- **Embedded.** bench/embedded-stores.ts (\`benchEmbeddedStores\`): the file adapter (default
  'wal' mode) and the sqlite adapter, one after the other in the same run, on the same data:
  N threads × 1 entry (~80-byte payload; 100,000 in the full run, 5,000 with --quick) written by
  64 concurrent writers, and 10 threads × M entries (100,000 / 10,000) in 1,000-entry appends.
  Each set is closed and reopened: open time, main-isolate heap growth after a forced GC (the
  sqlite worker's isolate and SQLite's page cache are outside it; RSS growth is in the note),
  allocated disk blocks against the JSON bytes of the heads and entries as read back, a
  listThreads page (100) after a random id, thaw + readTail(50) of a long thread. Appends/s:
  both engines open side by side; each round runs 1 writer, then 32 writers on 32 threads with
  \`monitorEventLoopDelay\` (1 ms resolution), on one engine then the other (the order flips
  every round); medians of the rounds; appends per fsync = appends / (file: flush calls, sqlite:
  commits).
  The issue asks for 1M threads and 1M-entry threads: the notes extrapolate linearly.
- **Peers.** Same process, same payloads, 32 concurrent loops, bounded by time, interleaved
  rounds (best counts). LangGraph \`MemorySaver\`: \`put\` with a fresh checkpoint id per step and
  the same ~1 KB state as \`channel_values\`, then \`getTuple\` by the returned checkpoint id (its
  direct path; asking for "latest" sorts every stored id of the thread). Emmett
  \`getInMemoryEventStore().appendToStream\` with \`expectedStreamVersion\` vs our memory
  \`appendEntries\` with \`expectedRev\`; both sides move to a fresh stream/thread every 100 appends.
  Redis: bench/redis-storage.ts (\`benchRedisStorage\`) — adapter vs raw node-redis RPUSH and
  XADD of the same JSON on the same redis-server (started by the benchmark on a free loopback
  port) at 32 writers.
- **Live.** bench/live.ts (\`benchLive\`): 1,000 graphql-ws subscribers of one thread on a Cryo
  server (memory storage, production settings); the clients run in a worker thread of the
  benchmark process (their own event loop, same 2 cores). Steady phase: 5 single-entry appends/s
  over HTTP for 10 s; each delivery is timed from the writer's acknowledgement (and from the
  send). Burst: 200 entries in appends of 10, as fast as possible; delivery rate = messages
  delivered to all subscribers / time to the last delivery. The baseline is a bare graphql-ws
  server (bench/live-baseline.ts) publishing the same entries in process at the same rate and
  burst. Heap per idle subscriber: heapUsed after GC before vs after opening the subscribers.
- **--quick** uses 1-second HTTP runs (one round), 0.25-second loops, fewer timed samples and a
  live phase of 250 subscribers for 2 seconds with a 30-entry burst: indicative only; the
  committed file is a full run.
- Every loop is bounded by time (and most by count); every server, store, temp directory,
  redis-server and child process is stopped; a watchdog ends a run that hangs.
`;

type Explain = (row: JudgedRow, rows: readonly JudgedRow[]) => string;

/** Why a target can be missed, keyed by a part of a row name; used only for MISSED rows, once per key. */
const WHY: [prefix: string, explain: Explain][] = [
  [
    '{ __typename }, Cryo server',
    (r) =>
      `Cryo's \`{ __typename }\` ran at ${r.ratio?.toFixed(2)}× stock Yoga. Both servers answer it from Yoga's ` +
      `parse/validate caches; what Cryo adds per request is graphql-armor (depth, tokens, aliases, ` +
      `directives and cost rules), the readiness plugin, the masked-error hook, ` +
      `@envelop/disable-introspection, the body-limit wrapper and the home-page route check. ` +
      `A gap of a few percent is inside this machine's run-to-run noise (compare the rounds in the ` +
      `log); a larger one is the price of those plugins.`,
  ],
  [
    'appendEntries, memory, auth (API key) + metrics on',
    (r, rows) => {
      const cpu = rows.find((x) => x.name.includes('auth (API key) + metrics on: server CPU/request'));
      return (
        `With auth and metrics on, appendEntries cost ${fmt(cpu?.value)} µs of server CPU per request against ` +
        `${fmt(cpu?.baseline?.value)} µs for \`{ __typename }\` on the same server (${cpu?.ratio?.toFixed(2)}×, target ≤ 1.25×). ` +
        `bench/README.md has the CPU profiles: what an append adds to a \`{ __typename }\` is the storage call with the ` +
        `domain validation (the bare node:http append pays it too), compiled execution with the Pothos resolver wrappers, ` +
        `the metrics of the storage call and the operation, a larger body to parse and answer, and the minor GCs that ` +
        `the stored entries make dearer; each is a few µs, none dominates. The CPU figures move with the load of other ` +
        `jobs on this machine (V8's parallel GC threads and the kernel's loopback path are counted too): read the ` +
        `per-round ratios in the note. The bare node:http append does no GraphQL, no auth and no metrics: Yoga's ` +
        `per-request work alone costs more than its whole request, so 0.5× of it needs a cheaper HTTP layer, not a cheaper append.`
      );
    },
  ],
  [
    'appends per fsync, file, 32 writers',
    (r) =>
      `${r.name.replace('appends per fsync, file, ', '')}: ${fmt(r.value)} appends per fsync. In the default ` +
      `'wal' mode every thread's appends in a round share one fdatasync of the shared log, so the ` +
      `batch is what queued while the previous flush ran: on this VM's fast disk an fdatasync takes ` +
      `a fraction of a millisecond and the CPU (shared with the writers' own work and other jobs) ` +
      `limits how many appends queue behind it. A slower disk batches more. (In 'per-thread-fsync' ` +
      `mode, appends on different threads cannot share a flush: 1.0 per fsync at 32 threads.)`,
  ],
  [
    'one append at journal length',
    (r) =>
      `One append at 100,000 entries cost ${r.ratio?.toFixed(2)}× one at 100 (target ≤ 1.3×) on ${r.name.split(', ').pop()}. ` +
      `Medians of single appends are noisy at this scale (tens of µs, or an fsync for file); ` +
      `check whether the gap survives a rerun before blaming the adapter.`,
  ],
  [
    'checkpoint put + get, memory vs LangGraph',
    (r) =>
      `Our memory checkpoints ran at ${r.ratio?.toFixed(2)}× MemorySaver: ours validates the state's ` +
      `size (a JSON walk) and deep-copies in and out; MemorySaver serialises with its JSON serde.`,
  ],
  [
    'append with expected version, memory vs Emmett',
    (r) =>
      `Our memory appends ran at ${r.ratio?.toFixed(2)}× Emmett's in-memory store. Emmett's in-memory ` +
      `appendToStream is a test double: it does no input validation, no copies of the caller's data ` +
      `and no timestamps, and it spreads the event into a new array. Ours runs the same validation ` +
      `as every adapter (ids, kind, JSON object walk and a JSON.stringify for the size limit), ` +
      `generates a UUIDv7, deep-copies the entries in and the head and entries out (callers can ` +
      `never alias stored data), and publishes a change event for live subscribers. Emmett's copy ` +
      `of the whole stream per append (O(stream length)) and its count over all streams per append ` +
      `(O(streams)) do not show at 100 events per stream in a short run; on long streams they would.`,
  ],
  [
    'Redis adapter',
    (r, rows) => {
      const script = rows.find((x) => x.name.includes('raw EVALSHA'));
      return (
        `The Redis adapter ran at ${r.ratio?.toFixed(2)}× raw node-redis ${r.baseline?.name} (target 0.7×). ` +
        (script?.ratio == null
          ? ''
          : script.ratio >= 0.85
            ? `It ran at ${script.ratio.toFixed(2)}× a raw EVALSHA of its own append script, so the adapter's ` +
              `JavaScript is not the gap: the atomic server-side step is. `
            : `It ran at ${script.ratio.toFixed(2)}× a raw EVALSHA of its own append script: part of the gap ` +
              `is the adapter's JavaScript (validation, encoding, decoding the reply), the rest the script. `) +
        `One append is one Lua script that reads the head (HMGET), checks the revision (and the ` +
        `idempotent-retry rule), updates the head (HSET), XADDs the entry and publishes the change: ` +
        `four commands and a Lua call inside Redis instead of one, and a longer argument list and ` +
        `reply for the client. (INFO commandstats taken while writing the harness, with an earlier ` +
        `five-command version of the script, showed ~11 µs of Redis time per EVALSHA vs ~0.6 µs per ` +
        `RPUSH and ~1.2 µs per XADD.) Meeting 0.7× against a single command would need a cheaper ` +
        `script or giving up a guarantee (the revision check ` +
        `or the notification), which the storage contract does not allow.`
      );
    },
  ],
  [
    'append ack → delivery p99',
    (r) => `Live delivery p99 was ${fmt(r.value)} ms at 1,000 subscribers (target ≤ 100 ms).`,
  ],
];

/**
 * The analysis paragraph for the results file: one explanation per MISSED row (from what the code
 * does; not a profile of this run), the rows not measured, and the noise caveat.
 */
export function analysisText(rows: readonly JudgedRow[]): string {
  const parts: string[] = [];
  const explained = new Set<string>();
  for (const row of rows.filter((r) => r.status === 'MISSED')) {
    const why = WHY.find(([key]) => row.name.startsWith(key) || row.name.includes(key));
    const text = !why
      ? 'No explanation recorded yet.'
      : explained.has(why[0])
        ? `Ratio ${row.ratio?.toFixed(2)}×; same cause as above.`
        : why[1](row, rows);
    if (why) explained.add(why[0]);
    parts.push(`- **${row.name}** — ${row.gap}. ${text}`);
  }
  for (const row of rows.filter((r) => r.status === 'not measured')) {
    parts.push(`- **${row.name}** — not measured: ${row.note ?? 'no figure'}.`);
  }
  if (parts.length === 0) parts.push('Every target was met in this run.');
  parts.push(
    '',
    'The machine is shared (2 cores, other jobs running): ratios from one run can move by 10% or ' +
      'more between runs, most for the HTTP rows, where server and load generator share the cores. ' +
      'Treat a miss within that band as "not shown either way" and rerun before acting on it.',
  );
  return parts.join('\n');
}
