// Where the model is written before it is in place, so no one ever sees half a model. A destination that
// does not exist is staged in a sibling folder and renamed into place in one step. An existing folder (a
// volume's mount point, which cannot be renamed over) must be empty or hold an earlier fetch of ours
// (the marker file says so): it is emptied, the model is staged in a hidden folder inside it and its
// entries are moved up once complete; the pod's server starts only after the fetcher exits 0.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FetchFailure } from './failure.ts';

/** Left in an existing destination folder: it was written by this fetcher, which may empty it again. */
export const MARKER = '.modelship-fetch';
const PARTIAL = '.modelship-partial-';

export interface Staging {
  /** The folder to write the model into. */
  readonly dir: string;
  /** A file path outside `dir` on the same file system, for an archive before it is unpacked. */
  readonly scratch: string;
  /** Puts the staged model in place. */
  commit(): Promise<void>;
  /** Removes what was staged. */
  discard(): Promise<void>;
}

async function existing(path: string): Promise<'dir' | 'other' | undefined> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const suffix = () => randomBytes(6).toString('hex');

export async function prepareDestination(destination: string): Promise<Staging> {
  const dest = resolve(destination);
  const kind = await existing(dest);
  if (kind === 'other') throw new FetchFailure('LocalWrite', `destination ${destination} exists and is not a folder`);
  if (kind === undefined) {
    const parent = dirname(dest);
    await mkdir(parent, { recursive: true });
    const prefix = `.${basename(dest)}${PARTIAL}`;
    for (const stale of (await readdir(parent)).filter((e) => e.startsWith(prefix))) {
      await rm(join(parent, stale), { recursive: true, force: true });
    }
    const dir = join(parent, `${prefix}${suffix()}`);
    await mkdir(dir);
    const scratch = `${dir}.download`;
    return {
      dir,
      scratch,
      commit: async () => {
        await rm(scratch, { force: true });
        if ((await existing(dest)) !== undefined) throw new FetchFailure('LocalWrite', `destination ${destination} appeared while fetching`);
        await rename(dir, dest);
      },
      discard: async () => {
        await rm(scratch, { force: true });
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const entries = await readdir(dest);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new FetchFailure('LocalWrite', `destination ${destination} is not empty and was not written by modelship-fetch`);
  }
  // An earlier fetch's files (complete or not): the marker says they are ours to replace.
  for (const entry of entries) await rm(join(dest, entry), { recursive: true, force: true });
  await writeFile(join(dest, MARKER), '');
  const dir = join(dest, `${PARTIAL}${suffix()}`);
  await mkdir(dir);
  const scratch = `${dir}.download`;
  return {
    dir,
    scratch,
    commit: async () => {
      await rm(scratch, { force: true });
      for (const entry of await readdir(dir)) await rename(join(dir, entry), join(dest, entry));
      await rmdir(dir);
    },
    discard: async () => {
      await rm(scratch, { force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
