// A preload (`node --import ./test/support/loaded-modules-probe.ts ...`) that writes, when the process
// exits, which of Node's own modules it loaded (process.moduleLoadList) and which files it imported, to
// the file named by LOADED_MODULES_FILE: tests check that a program stays clear of modules that cost it
// memory it does not need.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

export interface LoadedModules {
  readonly builtins: readonly string[];
  readonly urls: readonly string[];
}

const target = process.env.LOADED_MODULES_FILE;
if (target !== undefined) {
  const urls: string[] = [];
  registerHooks({
    load(url, context, nextLoad) {
      urls.push(url);
      return nextLoad(url, context);
    },
  });
  process.on('exit', () => {
    // Undocumented but stable since Node 0.x; the test checks it is there (a module it must find).
    const builtins = (process as NodeJS.Process & { moduleLoadList?: string[] }).moduleLoadList ?? [];
    const loaded: LoadedModules = { builtins, urls };
    writeFileSync(target, JSON.stringify(loaded));
  });
}
