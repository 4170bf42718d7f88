import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { mapError } from '../../src/http/error-handler.ts';
import { ERROR_STATUS, type ErrorCode, HttpError } from '../../src/http/errors.ts';
import { KB_ERROR_CODES, KbError } from '../../src/kb/types.ts';
import * as poolErrors from '../../src/pool/errors.ts';

const README = new URL('../../src/http/README.md', import.meta.url);

/** The rows of the README's "Error codes" table, code → status; every row of the table must parse. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('\n## Error codes');
  assert.ok(start >= 0, 'src/http/README.md has an "## Error codes" section');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const rows = section.split('\n').filter((line) => line.startsWith('|'));
  assert.ok(rows.length > 2, 'the section holds a table');
  const documented = new Map<string, number>();
  for (const row of rows.slice(2)) {
    const match = /^\| `([A-Z_]+)` \| (\d{3}) \| [^|]+ \|$/.exec(row);
    assert.ok(match, `a row of the error table that does not parse: ${row}`);
    const [, code, status] = match;
    assert.ok(!documented.has(code!), `${code} is documented twice`);
    documented.set(code!, Number(status));
  }
  return documented;
}

/** Every PoolError subclass src/pool/errors.ts exports, made once to read its code. */
function poolErrorInstances(): poolErrors.PoolError[] {
  const classes = Object.values(poolErrors as Record<string, unknown>).filter(
    (value): value is new (message: string) => poolErrors.PoolError =>
      typeof value === 'function' && value.prototype instanceof poolErrors.PoolError,
  );
  return classes.map((PoolErrorClass) => new PoolErrorClass('test'));
}

describe('ERROR_STATUS', () => {
  test('gives every error code an HTTP status from 400 to 599', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.match(code, /^[A-Z_]+$/);
      assert.ok(status >= 400 && status < 600, code);
    }
  });

  test('holds exactly the codes and statuses src/http/README.md documents', () => {
    const documented = documentedCodes();
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.equal(documented.get(code), status, `${code} (${status}) in the README's error table`);
    }
    for (const [code, status] of documented) {
      assert.equal(ERROR_STATUS[code as ErrorCode], status, `the README's ${code} (${status}) in ERROR_STATUS`);
    }
  });

  test("has an entry for every PoolError subclass's code, and no two subclasses share one", () => {
    const instances = poolErrorInstances();
    assert.ok(instances.length >= 9, `found ${instances.length} PoolError subclasses`);
    const codes = instances.map((error) => error.code);
    assert.equal(new Set(codes).size, codes.length, `a code is reused: ${codes.join(', ')}`);
    for (const error of instances) assert.ok(Object.hasOwn(ERROR_STATUS, error.code), `${error.name}: ${error.code}`);
  });

  test('has an entry for every KbError code', () => {
    for (const code of KB_ERROR_CODES) assert.ok(Object.hasOwn(ERROR_STATUS, code), code);
  });
});

describe('mapError', () => {
  test('answers an HttpError with its code and the status of the table', () => {
    const mapped = mapError(new HttpError('SERVICE_DRAINING', 'shutting down', { retryAfterS: 5 }));
    assert.deepEqual(mapped, { status: 503, code: 'SERVICE_DRAINING', message: 'shutting down', retryAfterS: 5 });
  });

  test('answers each PoolError with the status of its code, and Retry-After for 503 and 429 only', () => {
    for (const error of poolErrorInstances()) {
      const mapped = mapError(error);
      const status = ERROR_STATUS[error.code];
      assert.equal(mapped.status, status, error.code);
      assert.equal(mapped.code, error.code);
      assert.equal(mapped.retryAfterS, status === 503 || status === 429 ? 1 : undefined, error.code);
    }
  });

  test('answers each KbError with the status of its code', () => {
    for (const code of KB_ERROR_CODES) {
      const mapped = mapError(new KbError(code, 'test'));
      // A 503 (several nodes: the writer lease) says when to retry.
      const retryAfterS = ERROR_STATUS[code] === 503 ? 1 : undefined;
      assert.deepEqual(mapped, { status: ERROR_STATUS[code], code, message: 'test', retryAfterS });
    }
  });
});
