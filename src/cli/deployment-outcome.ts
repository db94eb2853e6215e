// The end of a followed deploy or rollback: one summary line and the exit status.
import { describesEdgeDown } from '../core/errors.js';
import type { Deployment } from '../core/model.js';
import type { CliContext } from './context.js';
import { between, duration } from './format.js';

/**
 * Prints the outcome; returns 0 when the deployment succeeded, 1 otherwise. `serving` is the release
 * the environment serves now (null: none), as the server said after the end; undefined when it could
 * not be asked, and then the line claims nothing about what serves.
 */
export function reportOutcome(ctx: CliContext, d: Deployment, serving?: string | null): number {
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
    : (d.status === 'rolled_back' || d.status === 'failed') && serving !== undefined
      ? serving === null
        ? '; nothing was live in this environment before, so nothing serves'
        : `; release ${serving} is ${d.status === 'rolled_back' ? 'serving again' : 'still serving'}`
      : '';
  ctx.err(`error: ${what} ${d.status.replace('_', ' ')}${time}${d.error ? `: ${d.error}` : ''}${hint}`);
  return 1;
}
