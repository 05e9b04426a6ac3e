// What an entry module loads at run time: the files it imports, transitively, and the packages. Type-only
// imports are left out (Node strips them). Reads top-level import/export statements, which start a line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

export interface RuntimeImports {
  /** Files, relative to the root, the entry included. */
  readonly files: readonly string[];
  /** Package names (an import of `@scope/pkg/sub` counts as `@scope/pkg`). */
  readonly packages: readonly string[];
  /** Imports that name no existing file, as `importer: specifier`. */
  readonly unresolved: readonly string[];
}

const STATEMENT = /^(import|export)\s+(type\s+)?(?:[^;'"()=]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(STATEMENT)) if (m[2] === undefined) found.push(m[3]!);
  for (const m of source.matchAll(DYNAMIC)) found.push(m[1]!);
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!);

export function runtimeImports(root: string, entry: string): RuntimeImports {
  const files = new Set<string>();
  const packages = new Set<string>();
  const unresolved: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    if (!/\.[mc]?[jt]s$/.test(file)) return;
    for (const spec of specifiers(readFileSync(resolve(root, file), 'utf8'))) {
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = resolve(root, dirname(file), spec);
        if (existsSync(target) && statSync(target).isFile()) visit(relative(root, target));
        else unresolved.push(`${file}: ${spec}`);
      } else if (!isBuiltin(spec)) {
        packages.add(packageName(spec));
      }
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort(), unresolved };
}
