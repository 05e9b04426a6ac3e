// What a folder holds, as a sorted list a test can compare: every file, folder (`name/`) and link
// (`name -> target`) under it, relative to it.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export function fileTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}
