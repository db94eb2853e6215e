// Plans are checked at compile time: a step may only read state that an earlier step gives.
// The `@ts-expect-error` lines are the test: if a misordered plan compiled, tsc would fail here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineDeps } from '../../src/pipeline/pipeline-deps.js';
import { rollOut } from '../../src/pipeline/plans/roll-out.js';
import { PlanBuilder, type Step } from '../../src/pipeline/step.js';
import { build } from '../../src/pipeline/steps/release-steps.js';
import { fetchSource, resolveSource } from '../../src/pipeline/steps/source-steps.js';
import { recordRelease, switchTraffic } from '../../src/pipeline/steps/traffic-steps.js';

const deps = {} as PipelineDeps;

test('a step whose needs no earlier step gives does not compile', () => {
  // @ts-expect-error build needs releaseId, specText, sourceDir and commitSha; nothing gave them
  PlanBuilder.start().then(build(deps));
  // @ts-expect-error fetch-source gives sourceDir but resolve-source has not run: no releaseId, specText
  PlanBuilder.start().then(fetchSource(deps)).then(build(deps));
  const gives: Step<never, 'releaseId'> = { name: 'gives', run: async () => ({ releaseId: 'r1' }) };
  // @ts-expect-error switch-traffic also needs previousReleaseId and specText
  PlanBuilder.start().then(gives).then(switchTraffic(deps));
  // In order, it compiles.
  PlanBuilder.start().then(gives).then(recordRelease(deps));
  PlanBuilder.start().then(resolveSource(deps)).then(fetchSource(deps)).then(build(deps));
  // The shared roll-out needs releaseId, previousReleaseId and specText before it.
  // @ts-expect-error gives only releaseId
  rollOut(PlanBuilder.start().then(gives), deps);
  rollOut(PlanBuilder.start().then(resolveSource(deps)), deps);
});

test('the plan marks must be among its steps, and step names are unique', () => {
  const gives: Step<never, 'releaseId'> = { name: 'gives', run: async () => ({ releaseId: 'r1' }) };
  const record = recordRelease(deps);
  assert.throws(() => PlanBuilder.start().then(gives).build({ commitPoint: record, trafficStep: null }), /commitPoint is not one of its steps/);
  assert.throws(
    () => PlanBuilder.start().then(gives).then(gives).build({ commitPoint: gives, trafficStep: null }),
    /two steps named "gives"/,
  );
  const plan = PlanBuilder.start().then(gives).then(record).build({ commitPoint: record, trafficStep: null });
  assert.deepEqual(plan.steps.map((s) => s.name), ['gives', 'record-release']);
});
