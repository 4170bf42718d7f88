import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const haproxy = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;

test('the shipped HAProxy config is valid and routes by conversation', {
  skip: haproxy ? false : 'haproxy is not installed (apt-get install haproxy)',
}, () => {
  const check = spawnSync('haproxy', ['-c', '-f', 'deploy/haproxy.cfg'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr || check.stdout);
  const config = readFileSync('deploy/haproxy.cfg', 'utf8');
  assert.match(config, /hash-type consistent/);
  assert.match(config, /option httpchk GET \/health\/ready/);
  assert.match(config, /option redispatch/);
  // With a user_id the query routes resume the user's running conversation whatever session_id says: it routes first.
  const keys = [...config.matchAll(/set-var\(txn\.route\) (\S+)/g)].map((m) => m[1]);
  assert.deepEqual(keys, [
    'url_param(user_id)',
    "req.body,json_query('$.user_id')",
    'url_param(session_id)',
    "req.body,json_query('$.session_id')",
    'req.cook(docent_uid)',
    'req.hdr(authorization)',
  ]);
});
