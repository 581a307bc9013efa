// Every command, in the order help lists them.
import type { Command } from '../command.js';
import { bridge } from './bridge.js';
import { codegen } from './codegen.js';
import { create } from './create.js';
import { dump } from './dump.js';
import { gc } from './gc.js';
import { info } from './info.js';
import { list } from './list.js';
import { objects } from './objects.js';
import { verify, write } from './pattern.js';
import { remove } from './remove.js';
import { set } from './set.js';
import { stat } from './stat.js';
import { who } from './who.js';

export const COMMANDS: readonly Command[] = [list, create, stat, info, set, remove, write, verify, dump, objects, who, gc, codegen, bridge];

/** The command a name or alias stands for. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Names and aliases, for suggestions. */
export function commandNames(): string[] {
  return COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
}
