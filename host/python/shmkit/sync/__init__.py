"""Locks and friends in shared memory, the core's protocols byte for byte:
a Node process may hold the same mutex, and a dead holder of either
language is seen by the other (holder ids are kernel thread ids)."""
