// Argument checks for every public entry: misuse is an EINVAL ShmError that
// names the offending value, raised before any system call.
import { invalidArgument, type ShmErrorTarget } from '../errors.js';

export function checkOptions<T extends object>(options: unknown, allowed: readonly string[], where: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    invalidArgument(`${where}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) {
      invalidArgument(`${where}: unknown option '${name}' (known: ${allowed.join(', ')})`);
    }
  }
  return options as T;
}

export function checkSize(size: unknown, where: string, target: ShmErrorTarget = {}): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
    invalidArgument(`${where}: size must be a positive whole number of bytes: size=${describeValue(size)}`, target);
  }
  return size;
}

export function checkMode(mode: unknown, where: string, target: ShmErrorTarget = {}): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    invalidArgument(`${where}: mode must be permission bits from 0 to 0o777: mode=${typeof mode === 'number' ? '0o' + mode.toString(8) : describeValue(mode)}`, target);
  }
  return mode;
}

/** A System V key, signed or unsigned 32-bit; returned unsigned. 0 is IPC_PRIVATE. */
export function checkKey(key: unknown, where: string): number {
  if (typeof key !== 'number' || !Number.isInteger(key) || key < -0x80000000 || key > 0xffffffff) {
    invalidArgument(`${where}: key must be a 32-bit integer: key=${describeValue(key)}`);
  }
  return key >>> 0;
}

export function checkId(id: unknown, where: string): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
    invalidArgument(`${where}: id must be a non-negative 32-bit integer: id=${describeValue(id)}`);
  }
  return id;
}

/** ftok's project id: only its low 8 bits are used, so 0..255; 0 is allowed. */
export function checkProj(proj: unknown, where: string): number {
  if (typeof proj !== 'number' || !Number.isInteger(proj) || proj < 0 || proj > 255) {
    invalidArgument(`${where}: proj must be an integer from 0 to 255: proj=${describeValue(proj)}`);
  }
  return proj;
}

export function checkBoolean(value: unknown, name: string, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalidArgument(`${where}: ${name} must be true or false: ${name}=${describeValue(value)}`);
  return value;
}

export function checkUid(value: unknown, name: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xfffffffe) {
    invalidArgument(`${where}: ${name} must be a numeric user or group id: ${name}=${describeValue(value)}`);
  }
  return value;
}

export function checkPath(path: unknown, where: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    invalidArgument(`${where}: path must be a non-empty string: path=${describeValue(path)}`);
  }
  return path;
}

/** An integer in [min, max]. */
export function checkInteger(value: unknown, name: string, min: number, max: number, where: string, target: ShmErrorTarget = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(`${where}: ${name} must be an integer from ${min} to ${max}: ${name}=${describeValue(value)}`, target);
  }
  return value;
}

/** A wait's timeout in ms: a number ≥ 0, Infinity allowed; undefined means no limit. */
export function checkTimeout(timeoutMs: unknown, where: string): number {
  if (timeoutMs === undefined) return Infinity;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    invalidArgument(`${where}: timeoutMs must be a number of milliseconds ≥ 0 (or Infinity): timeoutMs=${describeValue(timeoutMs)}`);
  }
  return timeoutMs;
}

export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    invalidArgument(`${where}: signal must be an AbortSignal: got ${signal === null ? 'null' : typeof signal}`);
  }
  return signal;
}

/** A value for a message, whatever it is (a template throws on a Symbol, String() on a null-prototype object, JSON.stringify on a bigint). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** An optional instance of `type` (the `arena` option, say): undefined, or EINVAL for anything else. */
export function checkInstance<T>(value: unknown, type: abstract new (...args: never[]) => T, name: string, where: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof type)) invalidArgument(`${where}: ${name} must be a ${type.name}: ${name}=${describeValue(value)}`);
  return value;
}

const utf8 = new TextEncoder();

/** A string option of at most `maxBytes` UTF-8 bytes without the characters in `forbidden`. */
export function checkLabel(value: unknown, name: string, maxBytes: number, forbidden: string, where: string): string {
  if (typeof value !== 'string' || utf8.encode(value).length > maxBytes || [...forbidden, '\0'].some((c) => value.includes(c))) {
    const without = [...forbidden].map((c) => `'${c}'`).concat('NUL').join(' or ');
    invalidArgument(`${where}: ${name} must be a string of at most ${maxBytes} bytes without ${without}: ${name}=${describeValue(value)}`);
  }
  return value;
}
