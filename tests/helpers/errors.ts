import * as assert from 'uvu/assert';
import { ShmError } from '../../host/index.js';

/** The ShmError `fn` throws; fails the test if it throws nothing or something else. */
export function thrown(fn: () => unknown): ShmError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ShmError, `expected a ShmError, got ${String(error)}`);
    return error as ShmError;
  }
  assert.unreachable('expected a ShmError, nothing was thrown');
  throw new Error('unreachable');
}
