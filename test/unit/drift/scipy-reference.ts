// SciPy's answers for the drift statistics, computed by running SciPy from the project's Python environment
// (test/cluster/python-env.ts: made on first use on a fresh machine, cached afterwards) on the same data,
// passed as JSON on stdin: the TypeScript statistics are checked against the reference implementation itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { ensureMlserverEnv } from '../../cluster/python-env.ts';

export type ScipyCall =
  | { readonly fn: 'ks_2samp'; readonly a: readonly number[]; readonly b: readonly number[] }
  | { readonly fn: 'chisquare'; readonly observed: readonly number[]; readonly expected: readonly number[] }
  | { readonly fn: 'chi2_contingency'; readonly table: readonly (readonly number[])[] }
  | { readonly fn: 'chi2_sf'; readonly x: number; readonly dof: number }
  | { readonly fn: 'kstwo_sf'; readonly x: number; readonly n: number }
  | { readonly fn: 'jensenshannon'; readonly p: readonly number[]; readonly q: readonly number[]; readonly base: number | null }
  | { readonly fn: 'psi'; readonly p: readonly number[]; readonly q: readonly number[]; readonly epsilon: number }
  | { readonly fn: 'bh'; readonly ps: readonly number[] }
  | { readonly fn: 'quantile'; readonly values: readonly number[]; readonly q: readonly number[] };

const script = String.raw`
import json, sys
import numpy as np
from scipy import stats
from scipy.spatial import distance

out = []
for c in json.load(sys.stdin):
    fn = c['fn']
    if fn == 'ks_2samp':
        r = stats.ks_2samp(np.array(c['a'], dtype=float), np.array(c['b'], dtype=float))
        out.append([float(r.statistic), float(r.pvalue)])
    elif fn == 'chisquare':
        r = stats.chisquare(np.array(c['observed'], dtype=float), np.array(c['expected'], dtype=float))
        out.append([float(r.statistic), float(r.pvalue)])
    elif fn == 'chi2_contingency':
        r = stats.chi2_contingency(np.array(c['table'], dtype=float), correction=False)
        out.append([float(r.statistic), float(r.pvalue), float(r.dof)])
    elif fn == 'chi2_sf':
        out.append([float(stats.chi2.sf(c['x'], c['dof']))])
    elif fn == 'kstwo_sf':
        out.append([float(stats.kstwo.sf(c['x'], c['n']))])
    elif fn == 'jensenshannon':
        out.append([float(distance.jensenshannon(np.array(c['p'], dtype=float), np.array(c['q'], dtype=float), base=c['base']))])
    elif fn == 'psi':
        p = np.array(c['p'], dtype=float); q = np.array(c['q'], dtype=float)
        p = np.maximum(p / p.sum(), c['epsilon']); q = np.maximum(q / q.sum(), c['epsilon'])
        out.append([float(np.sum((q - p) * np.log(q / p)))])
    elif fn == 'bh':
        out.append([float(x) for x in stats.false_discovery_control(np.array(c['ps'], dtype=float), method='bh')])
    elif fn == 'quantile':
        out.append([float(x) for x in np.quantile(np.array(c['values'], dtype=float), c['q'])])
json.dump(out, sys.stdout)
`;

/** SciPy's numbers for each call, in order (one python process for the lot). */
export async function scipy(calls: readonly ScipyCall[]): Promise<number[][]> {
  const env = await ensureMlserverEnv();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(env.python, ['-c', script], { maxBuffer: 256 * 1024 * 1024 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    );
    child.stdin?.end(JSON.stringify(calls));
  });
  return JSON.parse(stdout) as number[][];
}

/** |actual − expected| ≤ tolerance · |expected| (exact equality for zero and infinities). */
export function assertClose(actual: number, expected: number, message: string, tolerance = 1e-9): number {
  if (actual === expected) return 0;
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= tolerance, `${message}: ${actual} vs SciPy ${expected} (relative error ${error})`);
  return error;
}
