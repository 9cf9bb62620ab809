import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from '../../src/app/config.js';

it('runs lifecycle policies hourly by default; BERTH_LIFECYCLE_INTERVAL or the flag changes it, 0 turns it off', () => {
  assert.equal(loadConfig({ env: {} }).lifecycleInterval, 3600);
  assert.equal(loadConfig({ env: { BERTH_LIFECYCLE_INTERVAL: '0' } }).lifecycleInterval, 0);
  assert.equal(loadConfig({ env: { BERTH_LIFECYCLE_INTERVAL: '600' }, flags: { lifecycleInterval: '60' } }).lifecycleInterval, 60);
  assert.throws(() => loadConfig({ env: { BERTH_LIFECYCLE_INTERVAL: '-5' } }), /lifecycleInterval.*BERTH_LIFECYCLE_INTERVAL/);
  assert.throws(() => loadConfig({ env: {}, flags: { lifecycleInterval: '1.5' } }), /lifecycleInterval.*--lifecycle-interval/);
});
