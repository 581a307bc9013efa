// A small core instance of its own for schema work (layouts, hashes), so
// that defining a struct needs no arena and no operating system.
import { CoreMemory } from './core-memory.js';
import { coreModule } from './core-module.js';

let shared: CoreMemory | undefined;

export function layoutCore(): CoreMemory {
  return (shared ??= new CoreMemory({ maxBytes: 16 * 65536, module: coreModule() }));
}
