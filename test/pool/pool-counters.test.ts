import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentSamples } from '../../src/pool/pool-counters.ts';

describe('RecentSamples', () => {
  it('median() is 0 before any value, then the median of the values kept', () => {
    const samples = new RecentSamples(5);
    assert.equal(samples.median(), 0);
    samples.observe(30);
    assert.equal(samples.median(), 30);
    samples.observe(10);
    assert.equal(samples.median(), 20);
    samples.observe(1_000);
    assert.equal(samples.median(), 30, 'one outlier does not move it far');
    assert.equal(samples.count, 3);
  });

  it('keeps only the last `capacity` values, so the estimate follows a change of load', () => {
    const samples = new RecentSamples(3);
    for (const value of [900, 900, 900]) samples.observe(value);
    for (const value of [300, 310, 320]) samples.observe(value);
    assert.equal(samples.count, 3);
    assert.equal(samples.median(), 310);
  });

  it('ignores values that are not finite and refuses a capacity below 1', () => {
    const samples = new RecentSamples(2);
    samples.observe(Number.NaN);
    samples.observe(Number.POSITIVE_INFINITY);
    assert.equal(samples.count, 0);
    assert.throws(() => new RecentSamples(0), RangeError);
  });
});
