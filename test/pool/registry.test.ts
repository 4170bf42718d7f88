import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createPoolRegistry, PoolDrainingError } from '../../src/pool/index.ts';
import { createFakeAgentFactory } from '../support/fake-workers.ts';

describe('createPoolRegistry()', () => {
  it('builds the employee and admin pools from settings and reports their stats', async () => {
    const config = loadConfig({ EMPLOYEE_CLIENT_POOL_SIZE: '4', ADMIN_CLIENT_POOL_SIZE: '1', POOL_MIN_SPARES: '0' });
    const registry = createPoolRegistry(
      { employee: createFakeAgentFactory(), admin: createFakeAgentFactory() },
      config.pools,
    );
    assert.equal(registry.get('employee').name, 'employee');
    assert.equal(registry.get('admin').stats().maxWorkers, 1);
    assert.deepEqual(Object.keys(registry.stats()), ['employee', 'admin']);
    assert.throws(() => registry.get('other' as never), /Unknown pool `other`/);

    const seen: string[] = [];
    const off = registry.onEvent((pool, event) => seen.push(`${pool}:${event.type}`));
    const lease = await registry.get('employee').acquire({ session: { id: 's', isNew: true }, userId: 'u' });
    const events = [];
    for await (const event of lease.run({ message: 'hello' })) events.push(event);
    assert.deepEqual(
      events.map((e) => e.type),
      ['session', 'text', 'done'],
    );
    assert.ok(seen.includes('employee:turn_acquired'));
    off();
    const heard = seen.length;
    const again = await registry.get('employee').acquire({ session: { id: 's', isNew: false }, userId: 'u' });
    for await (const _ of again.run({ message: 'again' })) {
    }
    assert.equal(seen.length, heard, 'no event reaches a listener after it unsubscribed');

    await registry.drain(100);
    await assert.rejects(
      registry.get('admin').acquire({ session: { id: 'x', isNew: true }, userId: 'u' }),
      PoolDrainingError,
    );
    await registry.destroy();
    assert.equal(registry.stats().employee.workers.total, 0);
  });

  it('destroy() destroys every pool at once, revoking leases still out', async () => {
    const config = loadConfig({ EMPLOYEE_CLIENT_POOL_SIZE: '2', ADMIN_CLIENT_POOL_SIZE: '1', POOL_MIN_SPARES: '0' });
    const registry = createPoolRegistry(
      { employee: createFakeAgentFactory(), admin: createFakeAgentFactory() },
      config.pools,
    );
    await registry.get('employee').acquire({ session: { id: 'e', isNew: true }, userId: 'u' });
    await registry.get('admin').acquire({ session: { id: 'a', isNew: true }, userId: 'u' });
    await registry.destroy();
    assert.equal(registry.stats().employee.workers.total, 0);
    assert.equal(registry.stats().admin.workers.total, 0);
  });
});
