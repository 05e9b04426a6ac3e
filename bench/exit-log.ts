// PURE: what a benchmark keeps of an operator process that exited early: the warnings and errors of its
// JSON log (pino's level as a label, as the operator writes it, or as a number: 40 and up) and its last lines, each cut short, so the result file says why it
// ended after the process and its temporary folder are gone.
const MAX_LINE = 600;
const LABELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

function levelOf(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    if (typeof level === 'string') return LABELS[level];
    return typeof level === 'number' ? level : undefined;
  } catch {
    return undefined;
  }
}

/** At most `maxProblems` warning-or-worse lines (the last ones), then the last `tail` lines not already kept. */
export function exitLogLines(text: string, maxProblems = 20, tail = 10): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const problems = lines.map((l, i) => ({ l, i })).filter(({ l }) => (levelOf(l) ?? 0) >= 40).slice(-maxProblems);
  const kept = new Set(problems.map((p) => p.i));
  const last = lines.map((l, i) => ({ l, i })).slice(lines.length - Math.max(0, tail)).filter(({ i }) => !kept.has(i));
  return [...problems, ...last].sort((a, b) => a.i - b.i).map(({ l }) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
}
