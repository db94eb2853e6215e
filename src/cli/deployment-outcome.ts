// The end of a followed deploy or rollback: one summary line and the exit status.
import { describesEdgeDown } from '../core/errors.js';
import type { Deployment } from '../core/model.js';
import type { CliContext } from './context.js';
import { between, duration } from './format.js';

/** Prints the outcome; returns 0 when the deployment succeeded, 1 otherwise. */
export function reportOutcome(ctx: CliContext, d: Deployment): number {
  const took = between(d.startedAt ?? d.createdAt, d.finishedAt);
  const time = took === null ? '' : ` in ${duration(took)}`;
  const what = `${d.kind} #${d.number} (${d.id})`;
  if (d.status === 'succeeded') {
    ctx.out(`${what} succeeded${time}${d.releaseId ? `: release ${d.releaseId} is live` : ''}`);
    return 0;
  }
  if (d.status === 'compensation_failed') {
    // The error says what failed, which undo failed and what serves; nothing here may claim more.
    ctx.err(`error: ${what} failed${time} and could not be undone${d.error ? `: ${d.error}` : ''}`);
    return 1;
  }
  const hint = describesEdgeDown(d.error)
    ? '; nothing is being served until the edge runs again (`slipway status` shows it)'
    : d.status === 'rolled_back'
      ? '; the previous release is serving again'
      : d.status === 'failed'
        ? '; the previous release is still serving'
        : '';
  ctx.err(`error: ${what} ${d.status.replace('_', ' ')}${time}${d.error ? `: ${d.error}` : ''}${hint}`);
  return 1;
}
