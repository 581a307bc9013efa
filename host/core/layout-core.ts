// A small core instance of its own for schema work (layouts, hashes), so
// that defining a struct needs no arena and no operating system.
import { UNIT_SIZE } from './core.js';
import { CoreMemory } from './core-memory.js';
import { coreModule } from './core-module.js';

let shared: CoreMemory | undefined;

export function layoutCore(): CoreMemory {
  return (shared ??= new CoreMemory({ maxBytes: 16 * UNIT_SIZE, module: coreModule() }));
}
