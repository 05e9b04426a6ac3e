// The mixture SPRT on hand-computed cases, its monotonicity, and its minimum-sample floor.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  confidenceRadius,
  logMixtureLikelihoodRatio,
  logNormalCdf,
  msprtProportions,
  nextAlwaysValidPValue,
  normalCdf,
} from '../../../src/analysis/index.ts';

function close(actual: number, expected: number, tolerance: number): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} not within ${tolerance} of ${expected}`);
}

describe('normal CDF', () => {
  test('matches tabulated values', () => {
    close(normalCdf(0), 0.5, 1e-7);
    close(normalCdf(1.959964), 0.975, 1e-6);
    close(normalCdf(-1), 0.158655254, 1e-7);
  });

  test('stays finite far in the lower tail', () => {
    // ln Φ(-40) ≈ -40²/2 - ln(40 √(2π)) = -804.608
    close(logNormalCdf(-40), -804.608, 1e-2);
    assert.ok(Number.isFinite(logNormalCdf(-1000)));
  });
});

describe('mixture likelihood ratio', () => {
  test('hand-computed case: d = 0.01, V = 1e-5, tau = 0.01', () => {
    // V + tau² = 1.1e-4: 2·sqrt(1e-5/1.1e-4)·exp(1e-8/(2·1.1e-9))·Φ(1e-4/sqrt(1.1e-9) = 3.01511)
    // = ln 2 - 1.198948 + 4.545455 + ln 0.998715 = 4.03837
    close(logMixtureLikelihoodRatio(0.01, 1e-5, 0.01), 4.03837, 1e-4);
  });

  test('no difference gives a ratio below one (evidence for no effect)', () => {
    // d = 0: 2·sqrt(V/(V+tau²))·Φ(0) = sqrt(V/(V+tau²)) < 1
    close(logMixtureLikelihoodRatio(0, 1e-5, 0.01), 0.5 * Math.log(1e-5 / 1.1e-4), 1e-7);
  });

  test('confidence radius: hand-computed for V = 1e-5, tau = 0.01, alpha = 0.05', () => {
    // sqrt(1e-5·1.1e-4/1e-4 · (2 ln 20 + ln 11)) = sqrt(1.1e-5 · 8.38936) = 0.0096064
    close(confidenceRadius(1e-5, 0.01, 0.05), 0.0096064, 1e-6);
  });
});

describe('always-valid p-value', () => {
  test('is the running minimum of 1/LR, capped at 1', () => {
    assert.equal(nextAlwaysValidPValue(1, -3), 1);
    close(nextAlwaysValidPValue(1, Math.log(10)), 0.1, 1e-12);
    close(nextAlwaysValidPValue(0.1, Math.log(2)), 0.1, 1e-12);
    close(nextAlwaysValidPValue(0.1, Math.log(40)), 0.025, 1e-12);
  });

  test('a result carries the previous p-value forward', () => {
    const counts = { stableRequests: 1000, stableErrors: 10, canaryRequests: 1000, canaryErrors: 10 };
    const result = msprtProportions(counts, {}, 0.03);
    assert.equal(result.pValue, 0.03);
    assert.equal(result.verdict, 'Fail', 'a running p-value under alpha stays a Fail');
  });
});

describe('verdicts', () => {
  test('hand-computed case: 1% vs 3% at 2000 requests each fails', () => {
    const counts = { stableRequests: 2000, stableErrors: 20, canaryRequests: 2000, canaryErrors: 60 };
    const result = msprtProportions(counts);
    // pooled (80+1)/(4002) = 0.020240, V = 0.020240·0.979760·(2/2000) = 1.98302e-5
    const expected = logMixtureLikelihoodRatio(0.02, 0.020240 * 0.97976 * 0.001, 0.01);
    close(result.logLikelihoodRatio, expected, 1e-3);
    assert.ok(result.logLikelihoodRatio > Math.log(20));
    assert.equal(result.verdict, 'Fail');
    close(result.difference, 0.02, 1e-12);
  });

  test('identical rates with plenty of traffic pass', () => {
    const counts = { stableRequests: 5000, stableErrors: 50, canaryRequests: 5000, canaryErrors: 50 };
    const result = msprtProportions(counts);
    assert.equal(result.verdict, 'Pass');
    assert.ok(result.upperBound > 0 && result.upperBound <= 0.01);
  });

  test('a canary with fewer errors never fails', () => {
    const counts = { stableRequests: 5000, stableErrors: 500, canaryRequests: 5000, canaryErrors: 5 };
    const result = msprtProportions(counts);
    assert.notEqual(result.verdict, 'Fail');
    assert.ok(result.pValue > 0.5);
  });

  test('modest traffic with a small gap is inconclusive', () => {
    const counts = { stableRequests: 300, stableErrors: 3, canaryRequests: 300, canaryErrors: 6 };
    assert.equal(msprtProportions(counts).verdict, 'Inconclusive');
  });

  test('below the minimum sample size the verdict is Inconclusive even for glaring differences', () => {
    const glaring = { stableRequests: 99, stableErrors: 0, canaryRequests: 99, canaryErrors: 99 };
    const failing = msprtProportions(glaring);
    assert.equal(failing.verdict, 'Inconclusive');
    assert.equal(failing.pValue, 1, 'the running p-value is not updated on tiny samples');
    const perfect = { stableRequests: 50_000, stableErrors: 0, canaryRequests: 99, canaryErrors: 0 };
    assert.equal(msprtProportions(perfect).verdict, 'Inconclusive');
    const none = { stableRequests: 50_000, stableErrors: 0, canaryRequests: 0, canaryErrors: 0 };
    assert.equal(msprtProportions(none).verdict, 'Inconclusive');
    assert.equal(msprtProportions(glaring, { minRequests: 1000 }).verdict, 'Inconclusive');
  });

  test('counts from extrapolated rates are clamped, not trusted', () => {
    const skewed = { stableRequests: 1000, stableErrors: -2, canaryRequests: 1000, canaryErrors: 1003 };
    const result = msprtProportions(skewed);
    assert.equal(result.canaryRate, 1);
    assert.equal(result.stableRate, 0);
    assert.ok(Number.isFinite(result.logLikelihoodRatio));
  });
});

describe('monotonicity', () => {
  test('more canary errors never lower the statistic', () => {
    for (const [n, stableErrors] of [[200, 2], [1000, 10], [5000, 0], [5000, 400]] as const) {
      let previous = -Infinity;
      for (let canaryErrors = 0; canaryErrors <= n; canaryErrors += Math.max(1, Math.floor(n / 400))) {
        const { logLikelihoodRatio } = msprtProportions({ stableRequests: n, stableErrors, canaryRequests: n, canaryErrors });
        assert.ok(logLikelihoodRatio >= previous - 1e-9, `n=${n} stable=${stableErrors} canary=${canaryErrors}`);
        previous = logLikelihoodRatio;
      }
    }
  });

  test('more stable errors never raise the statistic', () => {
    let previous = Infinity;
    for (let stableErrors = 0; stableErrors <= 1000; stableErrors += 5) {
      const { logLikelihoodRatio } = msprtProportions({ stableRequests: 1000, stableErrors, canaryRequests: 1000, canaryErrors: 30 });
      assert.ok(logLikelihoodRatio <= previous + 1e-9, `stable=${stableErrors}`);
      previous = logLikelihoodRatio;
    }
  });
});
