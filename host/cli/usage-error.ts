// A command line that cannot be run as given. It is a ShmError (EINVAL) like
// every failure, and main answers it with exit status 2 and the usage of the
// command that was being parsed.
import { ShmError } from '../errors.js';

export class UsageError extends ShmError {
  constructor(message: string) {
    super({ code: 'EINVAL', message });
  }
}

export function usageError(message: string): never {
  throw new UsageError(message);
}
