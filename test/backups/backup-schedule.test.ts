import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRun, scheduleState } from '../../src/backups/backup-schedule.js';

const at = (s: string) => new Date(s);

test('nextRun is the first slot strictly after the given time (UTC)', () => {
  assert.equal(nextRun('0 3 * * *', at('2026-11-22T02:59:00Z'))?.toISOString(), '2026-11-22T03:00:00.000Z');
  assert.equal(nextRun('0 3 * * *', at('2026-11-22T03:00:00Z'))?.toISOString(), '2026-11-23T03:00:00.000Z');
  assert.throws(() => nextRun('not cron', at('2026-11-22T00:00:00Z')), /invalid cron expression "not cron"/);
});

test('not due before the slot; due once it passed', () => {
  const last = at('2026-11-21T03:00:00Z');
  assert.deepEqual(scheduleState('0 3 * * *', last, last, at('2026-11-22T02:00:00Z')), {
    due: false,
    missed: 0,
    next: at('2026-11-22T03:00:00Z'),
  });
  const s = scheduleState('0 3 * * *', last, last, at('2026-11-22T03:00:05Z'));
  assert.equal(s.due, true);
  assert.equal(s.missed, 1);
});

test('down for three days: one run at start, three slots reported missed', () => {
  const s = scheduleState('0 3 * * *', at('2026-11-19T03:00:00Z'), at('2026-01-01T00:00:00Z'), at('2026-11-22T12:00:00Z'));
  assert.equal(s.due, true);
  assert.equal(s.missed, 3);
  assert.equal(s.next?.toISOString(), '2026-11-23T03:00:00.000Z');
});

test('never ran: counted from registration', () => {
  const registered = at('2026-11-22T10:00:00Z');
  assert.equal(scheduleState('0 3 * * *', null, registered, at('2026-11-22T20:00:00Z')).due, false);
  assert.equal(scheduleState('0 3 * * *', null, registered, at('2026-11-23T03:00:00Z')).due, true);
});
