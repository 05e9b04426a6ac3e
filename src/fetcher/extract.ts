// Unpacks a downloaded .tar.gz or .zip into the staging folder. Every entry's path is checked
// (archive-paths.ts), entries and unpacked bytes are capped, only files, folders and symbolic links are
// written; links are made last, so no entry is ever written through one, and each is then resolved on disk
// and refused if it leads outside the folder (or nowhere).
import { createReadStream } from 'node:fs';
import { mkdir, open, readlink, realpath, symlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ArchiveBudget, entryPath, linkTarget, type ArchiveLimits } from './archive-paths.ts';
import { FetchFailure } from './failure.ts';
import { TarFormatError, TarParser, type TarHeader } from './tar-parser.ts';
import { extractZip } from './zip.ts';

export interface Extracted {
  readonly files: number;
  readonly bytes: number;
}

/** Writes entries below `root`; shared by the tar and zip readers. */
export class EntryWriter {
  private readonly root: string;
  private readonly what: string;
  private readonly budget: ArchiveBudget;
  private readonly links: { path: string; target: string }[] = [];
  private readonly made = new Set<string>();
  files = 0;

  constructor(root: string, what: string, limits: ArchiveLimits) {
    this.root = root;
    this.what = what;
    this.budget = new ArchiveBudget(limits);
  }

  unsafe(name: string, why: string): FetchFailure {
    return new FetchFailure('UnsafeArchive', `${this.what}: entry '${name}' ${why}`);
  }

  /** The checked relative path of an entry, counted against the entry cap; '' for the root itself. */
  path(name: string): string {
    if (!this.budget.entry()) throw new FetchFailure('TooLarge', `${this.what}: more entries than the cap allows`);
    const checked = entryPath(name);
    if (!checked.ok) throw this.unsafe(name, checked.why);
    return checked.path;
  }

  bytes(n: number): void {
    if (!this.budget.add(n)) throw new FetchFailure('TooLarge', `${this.what}: unpacks to more bytes than the cap allows`);
  }

  async directory(path: string): Promise<void> {
    if (path === '') return;
    await mkdir(join(this.root, path), { recursive: true, mode: 0o755 });
  }

  async file(path: string, mode: number): Promise<FileHandle> {
    if (path === '') throw this.unsafe('.', 'is a file at the root');
    await mkdir(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
    this.files += 1;
    // 'w' replaces an earlier entry of the same name, as tar does; no link exists yet to write through.
    return open(join(this.root, path), 'w', (mode & 0o111) !== 0 ? 0o755 : 0o644);
  }

  link(name: string, path: string, target: string): void {
    const checked = linkTarget(path, target);
    if (!checked.ok) throw this.unsafe(name, checked.why);
    this.links.push({ path, target });
  }

  /** Makes the links, then checks where each one really leads. */
  async finish(): Promise<Extracted> {
    for (const { path, target } of this.links) {
      await mkdir(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
      try {
        await symlink(target, join(this.root, path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw this.unsafe(path, 'is a link in place of another entry');
        throw err;
      }
    }
    const root = await realpath(this.root);
    for (const { path } of this.links) {
      let resolved: string;
      try {
        resolved = await realpath(join(this.root, path));
      } catch {
        throw this.unsafe(path, `is a link to '${await readlink(join(this.root, path))}', which leads nowhere inside the archive`);
      }
      const rel = relative(root, resolved);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw this.unsafe(path, 'links outside the destination');
    }
    return { files: this.files, bytes: this.budget.used.bytes };
  }
}

async function writeTarEntry(writer: EntryWriter, header: TarHeader): Promise<FileHandle | undefined> {
  const path = writer.path(header.name);
  switch (header.type) {
    case 'directory':
      await writer.directory(path);
      return undefined;
    case 'file':
      return writer.file(path, header.mode);
    case 'symlink':
      writer.link(header.name, path, header.linkName);
      return undefined;
    case 'hardlink':
      throw writer.unsafe(header.name, 'is a hard link (not supported)');
    default:
      throw writer.unsafe(header.name, `is of a refused type (tar type '${header.typeFlag.replace(/\0/g, '0')}')`);
  }
}

export async function extractTarGz(archive: string, into: string, what: string, limits: ArchiveLimits): Promise<Extracted> {
  const writer = new EntryWriter(into, what, limits);
  const parser = new TarParser();
  let current: FileHandle | undefined;
  try {
    const source = createReadStream(archive).pipe(createGunzip());
    const handle = async (events: ReturnType<TarParser['push']>) => {
      for (const event of events) {
        if (event.kind === 'entry') current = await writeTarEntry(writer, event.header);
        else if (event.kind === 'data') {
          writer.bytes(event.chunk.length);
          if (current) await current.write(event.chunk);
        } else if (event.kind === 'entryEnd') {
          await current?.close();
          current = undefined;
        }
      }
    };
    for await (const chunk of source as AsyncIterable<Buffer>) {
      await handle(parser.push(chunk));
      if (parser.ended) break;
    }
    await handle(parser.finish());
  } catch (err) {
    await current?.close();
    if (err instanceof TarFormatError) throw new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (${err.message})`);
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('Z_')) {
      throw new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (${err.code})`);
    }
    throw err;
  }
  return writer.finish();
}

export async function extractArchive(kind: 'tar.gz' | 'zip', archive: string, into: string, what: string, limits: ArchiveLimits): Promise<Extracted> {
  return kind === 'tar.gz' ? extractTarGz(archive, into, what, limits) : extractZip(archive, new EntryWriter(into, what, limits), what);
}
