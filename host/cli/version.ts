// shmkit's version, from the package.json of the shmkit this CLI belongs to.
import { createRequire } from 'node:module';

export function version(): string {
  // A package may import itself by name: this finds our own package.json, built or not.
  return (createRequire(import.meta.url)('shmkit/package.json') as { version: string }).version;
}
