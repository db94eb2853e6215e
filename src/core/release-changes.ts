// What a release changes that a person should look at before it reaches production: database
// migrations (they run once, after a backup, and are not undone by a rollback), the compose file
// (services, volumes, networks) and slipway.yml itself. Recognised by path, as data.

const MIGRATION_DIR = /^(migrations?|migrate|alembic|flyway|liquibase)$/i;
const COMPOSE = /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/i;
const SHOWN = 5;

/** One line per kind of change found, e.g. "changes migrations: db/migrate/003_add_index.rb". */
export function changeFlags(paths: readonly string[], composeFile = 'docker-compose.yml'): string[] {
  const migrations = paths.filter((p) => {
    const parts = p.split('/');
    return parts.slice(0, -1).some((d) => MIGRATION_DIR.test(d)) || /migrat/i.test(parts.at(-1) ?? '');
  });
  const compose = paths.filter((p) => p === composeFile || COMPOSE.test(p.split('/').at(-1) ?? ''));
  const flags: string[] = [];
  if (migrations.length) flags.push(`changes migrations: ${listed(migrations)}`);
  if (compose.length) flags.push(`changes the compose file: ${listed(compose)}`);
  if (paths.includes('slipway.yml')) flags.push('changes slipway.yml');
  return flags;
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, SHOWN).join(', ');
  return paths.length > SHOWN ? `${shown} and ${paths.length - SHOWN} more` : shown;
}
