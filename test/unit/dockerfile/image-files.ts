// Where a stage's COPY instructions put things, following WORKDIR: enough to tell, for a file of the build
// context or of an earlier stage, its path in the image. A directory source copies its contents (Docker's rule).
import { posix } from 'node:path';
import type { Instruction, Stage } from './parse-dockerfile.ts';
import { shellWords } from './shell-words.ts';

export interface Copy {
  readonly line: number;
  /** The stage it copies from (--from), or undefined for the build context. */
  readonly from?: string;
  readonly sources: readonly string[];
  /** Absolute, in the image. */
  readonly dest: string;
  /** The destination is a folder (trailing slash, or several sources). */
  readonly intoFolder: boolean;
}

function copyOf(ins: Instruction, workdir: string): Copy {
  const words = ins.exec ?? shellWords(ins.args);
  if (words.length < 2) throw new Error(`line ${ins.line}: COPY needs a source and a destination`);
  const sources = words.slice(0, -1).map((s) => posix.normalize(s).replace(/\/$/, ''));
  const destWord = words.at(-1)!;
  const intoFolder = destWord.endsWith('/') || destWord === '.' || sources.length > 1;
  return { line: ins.line, ...(ins.flags.from !== undefined ? { from: ins.flags.from } : {}), sources, dest: posix.resolve(workdir, destWord), intoFolder };
}

/** The stage's COPY instructions, with destinations made absolute, and its final WORKDIR. */
export function copiesOf(stage: Stage): { copies: Copy[]; workdir: string } {
  let workdir = '/';
  const copies: Copy[] = [];
  for (const ins of stage.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.args);
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') copies.push(copyOf(ins, workdir));
  }
  return { copies, workdir };
}

/**
 * The image path a file lands on, or undefined if no COPY takes it. `isFolder` says whether a source is a
 * folder in its origin (for the build context, the repository).
 */
export function imagePathOf(copies: readonly Copy[], from: string | undefined, file: string, isFolder: (source: string) => boolean): string | undefined {
  let found: string | undefined;
  for (const c of copies.filter((x) => x.from === from)) {
    for (const source of c.sources) {
      if (source === file) found = c.intoFolder || isFolder(source) ? posix.join(c.dest, posix.basename(file)) : c.dest;
      else if (isFolder(source) && (source === '.' || file.startsWith(`${source}/`))) found = posix.join(c.dest, posix.relative(source, file));
    }
  }
  return found;
}
