// One property: a name, how many operations it ran, and its first failure.
export class Property {
  readonly name: string;
  failure: string | null = null;
  operations: u32 = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Records the first failure; returns false so a caller can `return p.fail(…)`. */
  fail(what: string): bool {
    if (this.failure == null) this.failure = what;
    return false;
  }

  get ok(): bool {
    return this.failure == null;
  }
}
