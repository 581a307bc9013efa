// One line of what gc did: the object it looked at, what it did, and why.
export interface CollectEntry {
  kind: 'sysv' | 'posix';
  name: string | null;
  key: number | null;
  id: number | null;
  action: 'removed' | 'would-remove' | 'kept';
  why: string;
}
