// What a user may write for a deployment: its id ("dep_..."), or the number every output shows
// ("5", "#5"), qualified by its app when several apps have one ("hello#5", or --app hello).
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { ApiClient } from './api-client.js';

const NUMBER = /^#?(\d{1,9})$/;
const APP_NUMBER = /^([a-z][a-z0-9-]{0,39})#(\d{1,9})$/;

/** The deployment id that `ref` names; refuses an ambiguous number, listing the candidates. */
export async function resolveDeploymentRef(client: Pick<ApiClient, 'listDeployments'>, ref: string, app?: string): Promise<string> {
  const qualified = APP_NUMBER.exec(ref);
  const bare = NUMBER.exec(ref);
  if (!qualified && !bare) return ref;
  const number = Number(qualified ? qualified[2] : bare?.[1]);
  const inApp = qualified?.[1] ?? app;
  const { deployments } = await client.listDeployments(inApp ? { app: inApp } : {});
  const found = deployments.filter((d) => d.number === number);
  if (found.length === 1 && found[0]) return found[0].id;
  const where = inApp ? ` of app ${inApp}` : '';
  if (found.length === 0) throw new NotFoundError('deployment', `#${number}${where}`);
  throw new InvalidInputError(
    `deployment #${number} is ambiguous: ${found.map((d) => `${d.app}#${number} (${d.id})`).join(', ')}; write APP#${number}, e.g. ${found[0]?.app}#${number}, or the id`,
  );
}
