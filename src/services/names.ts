import { InvalidInputError } from '../core/errors.js';

const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function checkAppName(name: string): string {
  if (!APP_NAME.test(name)) {
    throw new InvalidInputError(`app name ${JSON.stringify(name)} is not valid: use 1-40 lowercase letters, digits and "-", starting with a letter`, { field: 'name' });
  }
  return name;
}

export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new InvalidInputError(`secret name ${JSON.stringify(name)} is not valid: use an environment variable name like DATABASE_URL`, { field: 'name' });
  }
  return name;
}
