// A node:test reporter that prints, after everything else, a short digest of what failed: each failing
// test with the first lines of its error, and for a test file that failed outside any test (an exception at
// import, a crash) the last lines that file wrote to stderr, which the spec reporter shows only inline,
// far above its summary. CI shows the tail of the output: the digest is what a reader needs there.
interface TestEventData {
  name?: string;
  file?: string;
  message?: string;
  nesting?: number;
  details?: { error?: unknown };
}
interface TestEvent {
  type: string;
  data: TestEventData;
}

const STDERR_LINES = 15;
const ERROR_LINES = 8;

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : error;
  return inner.message || String(inner);
}

export default async function* failureDigest(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const stderrByFile = new Map<string, string[]>();
  const failures: string[] = [];
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:stderr' && data.file && data.message) {
      const lines = stderrByFile.get(data.file) ?? [];
      lines.push(...data.message.split('\n').filter((l) => l.trim() !== '' && !/^\s+at /.test(l)));
      stderrByFile.set(data.file, lines.slice(-STDERR_LINES));
    }
    if (event.type !== 'test:fail') continue;
    const message = errorText(data.details?.error);
    // A failed suite repeats its children's failures: only leaves and whole files are reported.
    if (/\d+ subtests? failed/.test(message)) continue;
    const where = data.file ?? '';
    const isFile = data.name === where || (where !== '' && where.endsWith(data.name ?? '\0'));
    const lines = message.split('\n').slice(0, ERROR_LINES).map((l) => `    ${l}`);
    const entry = [`  ✖ ${data.name ?? '?'}${isFile ? '' : `  (${where})`}`, ...lines];
    if (isFile) entry.push('    last lines it wrote to stderr:', ...(stderrByFile.get(where) ?? ['(none)']).map((l) => `      ${l}`));
    failures.push(entry.join('\n'));
  }
  if (failures.length === 0) return;
  yield `\nfailure digest (${failures.length}):\n${failures.join('\n')}\n`;
}
