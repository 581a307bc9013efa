// What a Wasm binary says about its interface that the JS API does not:
// the type of every exported function, the limits of imported memories,
// and which sections it has. Read straight from the binary format (the
// sections are length-prefixed, so the ones not needed here are skipped).

export type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export interface FunctionType {
  params: ValueType[];
  results: ValueType[];
}

export interface MemoryImport {
  module: string;
  name: string;
  shared: boolean;
  minimum: number;
  maximum: number | undefined;
}

export interface WasmInterface {
  /** Section ids present, in order (0 custom, 8 start, 11 data, 12 data count, …). */
  sections: number[];
  functions: Map<string, FunctionType>;
  memories: MemoryImport[];
}

const VALUE_TYPES: Record<number, ValueType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
const SECTION = { type: 1, import: 2, function: 3, export: 7 } as const;
const EXTERNAL = { function: 0, table: 1, memory: 2, global: 3 } as const;
const SHARED_FLAG = 0x02;
const HAS_MAXIMUM_FLAG = 0x01;

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error(`wasm binary ends early at byte ${this.at}`);
    return this.bytes[this.at++]!;
  }

  unsigned(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  }

  name(): string {
    const length = this.unsigned();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  valueType(): ValueType {
    const code = this.byte();
    const type = VALUE_TYPES[code];
    if (!type) throw new Error(`unknown value type 0x${code.toString(16)} at byte ${this.at - 1}`);
    return type;
  }

  limits(): { shared: boolean; minimum: number; maximum: number | undefined } {
    const flags = this.byte();
    const minimum = this.unsigned();
    const maximum = flags & HAS_MAXIMUM_FLAG ? this.unsigned() : undefined;
    return { shared: (flags & SHARED_FLAG) !== 0, minimum, maximum };
  }
}

export function readInterface(binary: Uint8Array): WasmInterface {
  const r = new Reader(binary);
  r.at = 8; // magic and version
  const sections: number[] = [];
  const types: FunctionType[] = [];
  const functionTypes: number[] = []; // imported functions first, then defined ones
  const memories: MemoryImport[] = [];
  const functions = new Map<string, FunctionType>();
  while (r.at < binary.length) {
    const id = r.byte();
    const size = r.unsigned();
    const end = r.at + size;
    sections.push(id);
    if (id === SECTION.type) {
      for (let n = r.unsigned(); n > 0; n--) {
        if (r.byte() !== 0x60) throw new Error('a type section entry that is not a function type');
        const params = Array.from({ length: r.unsigned() }, () => r.valueType());
        const results = Array.from({ length: r.unsigned() }, () => r.valueType());
        types.push({ params, results });
      }
    } else if (id === SECTION.import) {
      for (let n = r.unsigned(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === EXTERNAL.function) functionTypes.push(r.unsigned());
        else if (kind === EXTERNAL.memory) memories.push({ module, name, ...r.limits() });
        else if (kind === EXTERNAL.table) {
          r.byte();
          r.limits();
        } else if (kind === EXTERNAL.global) {
          r.valueType();
          r.byte();
        }
      }
    } else if (id === SECTION.function) {
      for (let n = r.unsigned(); n > 0; n--) functionTypes.push(r.unsigned());
    } else if (id === SECTION.export) {
      for (let n = r.unsigned(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.unsigned();
        if (kind === EXTERNAL.function) functions.set(name, types[functionTypes[index]!]!);
      }
    }
    r.at = end;
  }
  return { sections, functions, memories };
}
