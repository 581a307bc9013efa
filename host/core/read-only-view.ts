/**
 * Reads of a read-only attachment. Its pages are mapped without write
 * permission, so a JS write through a typed array would kill the process;
 * this view offers DataView's getters and copies, and no way to write.
 */
export class ReadOnlyView {
  readonly #view: DataView;

  constructor(view: DataView) {
    this.#view = view;
  }

  get byteLength(): number { return this.#view.byteLength; }

  getInt8(offset: number): number { return this.#view.getInt8(offset); }
  getUint8(offset: number): number { return this.#view.getUint8(offset); }
  getInt16(offset: number, littleEndian?: boolean): number { return this.#view.getInt16(offset, littleEndian); }
  getUint16(offset: number, littleEndian?: boolean): number { return this.#view.getUint16(offset, littleEndian); }
  getInt32(offset: number, littleEndian?: boolean): number { return this.#view.getInt32(offset, littleEndian); }
  getUint32(offset: number, littleEndian?: boolean): number { return this.#view.getUint32(offset, littleEndian); }
  getBigInt64(offset: number, littleEndian?: boolean): bigint { return this.#view.getBigInt64(offset, littleEndian); }
  getBigUint64(offset: number, littleEndian?: boolean): bigint { return this.#view.getBigUint64(offset, littleEndian); }
  getFloat32(offset: number, littleEndian?: boolean): number { return this.#view.getFloat32(offset, littleEndian); }
  getFloat64(offset: number, littleEndian?: boolean): number { return this.#view.getFloat64(offset, littleEndian); }

  /** A copy of `length` bytes from `offset` (to the end by default). */
  read(offset = 0, length = this.byteLength - offset): Uint8Array {
    return new Uint8Array(this.#view.buffer, this.#view.byteOffset + offset, length).slice();
  }

  /** Copies bytes from `offset` into `target`; returns how many were copied. */
  copyTo(target: Uint8Array, offset = 0): number {
    const length = Math.min(target.byteLength, this.byteLength - offset);
    target.set(new Uint8Array(this.#view.buffer, this.#view.byteOffset + offset, length));
    return length;
  }
}
