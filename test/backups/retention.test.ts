import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoWeek, planRetention, type RetentionCandidate } from '../../src/backups/retention.js';

/** One backup a day at 03:00 UTC for `days` days ending 2026-11-22. */
function daily(days: number, verified: (i: number) => boolean = () => true): RetentionCandidate[] {
  return Array.from({ length: days }, (_, i) => ({
    id: `b${String(i).padStart(3, '0')}`,
    createdAt: new Date(Date.UTC(2026, 10, 22 - i, 3)).toISOString(),
    verified: verified(i),
  }));
}

test('last N keeps the newest N', () => {
  const plan = planRetention(daily(10), { last: 3 });
  assert.deepEqual(plan.keep.map((k) => k.id), ['b000', 'b001', 'b002']);
  assert.equal(plan.delete.length, 7);
});

test('"last 7 daily, 4 weekly" over 60 days of daily backups', () => {
  const plan = planRetention(daily(60), { daily: 7, weekly: 4 });
  const kept = plan.keep.map((k) => k.id);
  // 7 newest days, plus the newest backup of each of the 4 newest ISO weeks (some overlap).
  assert.deepEqual(kept, ['b000', 'b001', 'b002', 'b003', 'b004', 'b005', 'b006', 'b007', 'b014', 'b021']);
  assert.deepEqual(plan.keep.find((k) => k.id === 'b000')!.reasons, ['daily 2026-11-22', 'weekly 2026-W47', 'newest verified backup']);
  assert.equal(plan.delete.length, 60 - kept.length);
});

test('several backups a day: daily keeps the newest of each day', () => {
  const b = [
    { id: 'a', createdAt: '2026-11-22T01:00:00Z', verified: true },
    { id: 'b', createdAt: '2026-11-22T13:00:00Z', verified: true },
    { id: 'c', createdAt: '2026-11-21T23:00:00Z', verified: true },
  ];
  assert.deepEqual(planRetention(b, { daily: 2 }), {
    keep: [
      { id: 'b', reasons: ['daily 2026-11-22', 'newest verified backup'] },
      { id: 'c', reasons: ['daily 2026-11-21'] },
    ],
    delete: ['a'],
  });
});

test('the only verified backup is never deleted, however old', () => {
  const plan = planRetention(daily(30, (i) => i === 29), { last: 2 });
  assert.deepEqual(plan.keep.map((k) => k.id), ['b000', 'b001', 'b029']);
  assert.deepEqual(plan.keep.at(-1)!.reasons, ['newest verified backup']);
  assert.ok(!plan.delete.includes('b029'));
});

test('monthly, and a policy with no rule keeps everything', () => {
  const plan = planRetention(daily(90), { monthly: 3 });
  assert.deepEqual(plan.keep.map((k) => k.reasons[0]), ['monthly 2026-11', 'monthly 2026-10', 'monthly 2026-09']);
  assert.deepEqual(planRetention(daily(5), {}).delete, []);
  assert.deepEqual(planRetention([], { last: 1 }), { keep: [], delete: [] });
});

test('ISO weeks at year boundaries', () => {
  assert.equal(isoWeek(new Date('2026-11-22T00:00:00Z')), '2026-W47');
  assert.equal(isoWeek(new Date('2021-01-03T00:00:00Z')), '2020-W53');
  assert.equal(isoWeek(new Date('2024-12-30T00:00:00Z')), '2025-W01');
});
