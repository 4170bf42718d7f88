import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, effectiveEngine, loadConfig } from '../../src/config.ts';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, '/srv/docent');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loadConfig applies the documented defaults to an empty environment', () => {
    const config = loadConfig({}, '/srv/docent');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8000);
    assert.equal(config.kbRoot, '/srv/docent/knowledge_base');
    assert.equal(config.dataDir, '/srv/docent/data');
    assert.equal(config.maxUploadBytes, 10 * 1024 * 1024);
    assert.equal(config.pools.employee.maxWorkers, 3);
    assert.equal(config.pools.admin.maxWorkers, 2);
    assert.equal(config.pools.employee.acquireTimeoutMs, 30_000);
    assert.equal(config.pools.employee.sessionPolicy, 'enqueue');
    assert.equal(effectiveEngine(config), 'local');
    assert.equal(config.secureCookie, false);
    assert.equal(config.metricsAuth, 'none');
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.pools.employee));
  });

  it('loadConfig accepts the original system names and the USER_CLIENT_POOL_SIZE alias', () => {
    const config = loadConfig(
      { USER_CLIENT_POOL_SIZE: '5', ADMIN_CLIENT_POOL_SIZE: '4', CLIENT_POOL_MAX_WAIT: '2.5', CLAUDE_API_KEY: 'k' },
      '/srv',
    );
    assert.equal(config.pools.employee.maxWorkers, 5);
    assert.equal(config.pools.admin.maxWorkers, 4);
    assert.equal(config.pools.admin.acquireTimeoutMs, 2_500);
    assert.equal(config.anthropic.apiKey, 'k');
    assert.equal(effectiveEngine(config), 'claude');
  });

  it('loadConfig prefers EMPLOYEE_CLIENT_POOL_SIZE over its alias', () => {
    const config = loadConfig({ EMPLOYEE_CLIENT_POOL_SIZE: '7', USER_CLIENT_POOL_SIZE: '2' }, '/srv');
    assert.equal(config.pools.employee.maxWorkers, 7);
  });

  it('loadConfig refuses a negative or non-numeric pool size naming the variable', () => {
    assert.match(
      problemsOf({ EMPLOYEE_CLIENT_POOL_SIZE: '-1' })[0],
      /^EMPLOYEE_CLIENT_POOL_SIZE must be a whole number/,
    );
    assert.match(problemsOf({ ADMIN_CLIENT_POOL_SIZE: 'two' })[0], /^ADMIN_CLIENT_POOL_SIZE .*"two"/);
    assert.match(problemsOf({ USER_CLIENT_POOL_SIZE: '1.5' })[0], /^USER_CLIENT_POOL_SIZE/);
    assert.match(problemsOf({ CLIENT_POOL_MAX_WAIT: '-3' })[0], /^CLIENT_POOL_MAX_WAIT must be a number of seconds/);
  });

  it('loadConfig reports every bad variable at once', () => {
    const problems = problemsOf({ PORT: '70000', POOL_SESSION_POLICY: 'drop', LOG_LEVEL: 'loud' });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => p.startsWith('PORT')));
    assert.ok(problems.some((p) => p.startsWith('POOL_SESSION_POLICY must be one of enqueue, reject')));
    assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL')));
  });

  it('loadConfig reads COOKIE_SECURE as true or false and refuses anything else', () => {
    assert.equal(loadConfig({ COOKIE_SECURE: 'true' }, '/srv').secureCookie, true);
    assert.equal(loadConfig({ COOKIE_SECURE: 'false' }, '/srv').secureCookie, false);
    assert.ok(problemsOf({ COOKIE_SECURE: 'yes' }).some((p) => p.includes('COOKIE_SECURE')));
  });

  it('loadConfig refuses more spares than workers', () => {
    const problems = problemsOf({ ADMIN_CLIENT_POOL_SIZE: '1', POOL_MIN_SPARES: '2' });
    assert.deepEqual(problems, ['POOL_MIN_SPARES (2) must not exceed ADMIN_CLIENT_POOL_SIZE (1)']);
  });

  it('loadConfig refuses DOCENT_ENGINE=claude without credentials', () => {
    assert.match(problemsOf({ DOCENT_ENGINE: 'claude' })[0], /needs ANTHROPIC_API_KEY/);
    const config = loadConfig({ DOCENT_ENGINE: 'local', ANTHROPIC_API_KEY: 'k' }, '/srv');
    assert.equal(effectiveEngine(config), 'local');
  });

  it('loadConfig treats empty values as unset and splits ALLOWED_ORIGINS', () => {
    const config = loadConfig({ PORT: '', ALLOWED_ORIGINS: 'https://a.example, https://b.example,' }, '/srv');
    assert.equal(config.port, 8000);
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  });

  it('loadConfig keeps conversations SESSION_TIMEOUT plus a week unless SESSION_RETENTION says otherwise', () => {
    const week = 7 * 24 * 3600;
    assert.equal(loadConfig({}, '/srv').sessionRetentionS, 2 * week);
    assert.equal(loadConfig({ SESSION_TIMEOUT: '3600' }, '/srv').sessionRetentionS, 3600 + week);
    assert.equal(loadConfig({ SESSION_TIMEOUT: '60', SESSION_RETENTION: '60' }, '/srv').sessionRetentionS, 60);
    assert.equal(loadConfig({}, '/srv').retentionSweepIntervalMs, 600_000);
    assert.equal(loadConfig({ RETENTION_SWEEP_INTERVAL_MS: '5000' }, '/srv').retentionSweepIntervalMs, 5_000);
  });

  it('loadConfig refuses a SESSION_RETENTION shorter than SESSION_TIMEOUT, or not a whole number of seconds', () => {
    assert.deepEqual(problemsOf({ SESSION_TIMEOUT: '7200', SESSION_RETENTION: '3600' }), [
      'SESSION_RETENTION (3600 s) must be at least SESSION_TIMEOUT (7200 s): a conversation cannot be deleted while it may still be resumed',
    ]);
    assert.match(
      problemsOf({ SESSION_RETENTION: '14d' })[0],
      /^SESSION_RETENTION must be a whole number from 60 to \d+, got "14d"/,
    );
    assert.match(problemsOf({ SESSION_RETENTION: '-1' })[0], /^SESSION_RETENTION must be a whole number/);
    assert.match(problemsOf({ SESSION_RETENTION: '999999999999' })[0], /^SESSION_RETENTION must be a whole number/);
    assert.match(
      problemsOf({ RETENTION_SWEEP_INTERVAL_MS: '10' })[0],
      /^RETENTION_SWEEP_INTERVAL_MS must be a whole number from 1000 to 3600000/,
    );
  });
});
