// A small Dockerfile parser for the image's checks (test/unit/dockerfile.test.ts): stages and their
// instructions, with exec (JSON) form, --flags and line continuations resolved. It knows the default escape
// character only and substitutes no variables: the checks want literal values.
import { shellWords } from './shell-words.ts';

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** 1-based line the instruction starts on. */
  readonly line: number;
  /** Leading --name=value flags (COPY --from, RUN --mount, FROM --platform). */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags, as written. */
  readonly args: string;
  /** The exec form's array, when the arguments are one. */
  readonly exec?: readonly string[];
}

export interface Stage {
  readonly index: number;
  readonly name?: string;
  /** The FROM image (or the name of an earlier stage). */
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly stages: readonly Stage[];
}

/** Joins continued lines and drops comments and blank lines; each result is one instruction. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    // As Docker does, comment and blank lines vanish, also inside a continued instruction.
    if (trimmed.startsWith('#') || trimmed === '') return;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, '') : raw;
    current = current === undefined ? { line: i + 1, text: body } : { line: current.line, text: `${current.text.trimEnd()} ${body.trim()}` };
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) out.push(current);
  return out;
}

function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function instruction(line: number, text: string): Instruction {
  const match = /^\s*(\S+)\s*(.*)$/s.exec(text);
  if (match === null) throw new Error(`line ${line}: no instruction`);
  let rest = match[2]!.trim();
  const flags: Record<string, string> = {};
  for (let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); flag !== null; flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags[flag[1]!] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  const exec = execForm(rest);
  return { keyword: match[1]!.toUpperCase(), line, flags, args: rest, ...(exec !== undefined ? { exec } : {}) };
}

export function parseDockerfile(text: string): Dockerfile {
  const stages: { index: number; name?: string; base: string; instructions: Instruction[] }[] = [];
  for (const { line, text: body } of logicalLines(text)) {
    const ins = instruction(line, body);
    if (ins.keyword === 'FROM') {
      const words = shellWords(ins.args);
      const base = words[0];
      if (base === undefined) throw new Error(`line ${line}: FROM without an image`);
      const name = words.length === 3 && words[1]!.toUpperCase() === 'AS' ? words[2]!.toLowerCase() : undefined;
      stages.push({ index: stages.length, base, instructions: [], ...(name !== undefined ? { name } : {}) });
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) {
        if (ins.keyword === 'ARG') continue;
        throw new Error(`line ${line}: ${ins.keyword} before the first FROM`);
      }
      stage.instructions.push(ins);
    }
  }
  return { stages };
}

/** LABEL key=value pairs of a stage, later ones winning. */
export function labelsOf(stage: Stage): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'LABEL')) {
    for (const word of shellWords(ins.args)) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new Error(`line ${ins.line}: LABEL ${word} is not key=value`);
      labels[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return labels;
}
