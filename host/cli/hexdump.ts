// A hex dump in the layout of `xxd`: offset, 16 bytes as 8 groups of 2, ASCII.
import type { ReadOnlyView } from '../core/read-only-view.js';

export function* hexLines(reader: ReadOnlyView, offset: number, length: number): Generator<string> {
  for (let line = offset; line < offset + length; line += 16) {
    const count = Math.min(16, offset + length - line);
    let hex = '';
    let text = '';
    for (let i = 0; i < 16; i++) {
      if (i < count) {
        const byte = reader.getUint8(line + i);
        hex += byte.toString(16).padStart(2, '0');
        text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else {
        hex += '  ';
      }
      if (i % 2 === 1 && i < 15) hex += ' ';
    }
    yield `${line.toString(16).padStart(8, '0')}: ${hex}  ${text}`;
  }
}
