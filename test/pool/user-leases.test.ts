/**
 * UserLeases, the count of leases each user holds (maxTurnsPerUser): a user
 * back at zero keeps an entry until enough are kept, then the zeros go.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USERS_KEPT_BEFORE_SWEEP, UserLeases } from '../../src/pool/lease-ledger.ts';

describe('UserLeases', () => {
  it('counts leases per user, up and down', () => {
    const users = new UserLeases();
    users.add('u');
    users.add('u');
    users.add('v');
    assert.equal(users.load('u'), 2);
    assert.equal(users.load('v'), 1);
    users.release('u');
    assert.equal(users.load('u'), 1);
    users.release('u');
    assert.equal(users.load('u'), 0);
    assert.equal(users.load('nobody'), 0);
  });

  it('keeps users at zero until the bound, then sweeps them and keeps those holding leases', () => {
    const users = new UserLeases();
    users.add('holder');
    for (let i = 1; i < USERS_KEPT_BEFORE_SWEEP; i++) {
      users.add(`u${i}`);
      users.release(`u${i}`);
    }
    assert.equal(users.size, USERS_KEPT_BEFORE_SWEEP, 'zeros kept up to the bound');
    users.add('newcomer');
    assert.equal(users.size, 2, 'the zeros swept');
    assert.equal(users.load('holder'), 1);
    assert.equal(users.load('newcomer'), 1);
    assert.equal(users.load('u1'), 0);
  });

  it('does not sweep on every add when most users hold leases', () => {
    const users = new UserLeases();
    const n = USERS_KEPT_BEFORE_SWEEP * 3;
    for (let i = 0; i < n; i++) users.add(`u${i}`);
    assert.equal(users.size, n);
    for (let i = 0; i < n; i++) assert.equal(users.load(`u${i}`), 1);
    for (let i = 0; i < n; i++) users.release(`u${i}`);
    // The bound grew with the users holding leases: the next sweep is due past 2 x 2048 entries.
    for (let i = 0; i < USERS_KEPT_BEFORE_SWEEP; i++) users.add(`w${i}`);
    assert.equal(users.size, n + USERS_KEPT_BEFORE_SWEEP);
  });
});
