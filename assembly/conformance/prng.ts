// splitmix64: a seed gives the same operations, hence the same output, in
// every runtime.
export class Rng {
  private state: u64;

  constructor(seed: u64) {
    this.state = seed;
  }

  next(): u64 {
    this.state += 0x9e3779b97f4a7c15;
    let z = this.state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  /** Uniform in [0, n); n > 0. */
  below(n: u32): u32 {
    return <u32>(this.next() % <u64>n);
  }

  /** True `percent` times in a hundred. */
  chance(percent: u32): bool {
    return this.below(100) < percent;
  }

  /** A value of the kinds that break geometry: 0, all ones, small, a power of two or its neighbours, random. */
  hostileWord(): u64 {
    switch (this.below(6)) {
      case 0: return 0;
      case 1: return u64.MAX_VALUE;
      case 2: return this.below(16);
      case 3: return (<u64>1 << this.below(64)) + <u64>this.below(3) - 1;
      case 4: return <u64>u32.MAX_VALUE - this.below(4);
      default: return this.next();
    }
  }
}
