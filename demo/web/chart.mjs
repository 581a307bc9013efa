// A line chart of messages/s over time on a plain canvas: one line per
// transport, axes with round ticks, a legend.

export class RateChart {
  #canvas;
  #series = new Map();

  constructor(canvas) {
    this.#canvas = canvas;
  }

  /** Adds a line (or empties it when it exists). */
  series(name, color) {
    this.#series.set(name, { color, points: [] });
    this.draw();
  }

  /** A point of line `name`: `seconds` since its run started, `rate` in messages/s. */
  add(name, seconds, rate) {
    this.#series.get(name)?.points.push([seconds, rate]);
    this.draw();
  }

  draw() {
    const canvas = this.#canvas;
    const ratio = globalThis.devicePixelRatio ?? 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const all = [...this.#series.values()].flatMap((s) => s.points);
    const maxX = niceCeiling(Math.max(1, ...all.map(([x]) => x)));
    const maxY = niceCeiling(Math.max(1, ...all.map(([, y]) => y)));
    const box = { left: 64, right: width - 16, top: 16, bottom: height - 36 };
    const x = (v) => box.left + (v / maxX) * (box.right - box.left);
    const y = (v) => box.bottom - (v / maxY) * (box.bottom - box.top);

    g.font = '12px system-ui, sans-serif';
    g.strokeStyle = '#ccc';
    g.fillStyle = '#555';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const value = (maxY * i) / 4;
      g.beginPath();
      g.moveTo(box.left, y(value));
      g.lineTo(box.right, y(value));
      g.stroke();
      g.textAlign = 'right';
      g.fillText(formatRate(value), box.left - 6, y(value) + 4);
    }
    g.textAlign = 'center';
    for (let i = 0; i <= 5; i++) g.fillText(`${((maxX * i) / 5).toFixed(maxX < 5 ? 1 : 0)} s`, x((maxX * i) / 5), box.bottom + 18);

    const names = [...this.#series.keys()];
    let legendX = box.right - names.reduce((w, name) => w + g.measureText(name).width + 40, 0);
    for (const [name, { color, points }] of this.#series) {
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach(([px, py], i) => (i === 0 ? g.moveTo(x(px), y(py)) : g.lineTo(x(px), y(py))));
      g.stroke();
      g.fillStyle = color;
      g.fillRect(legendX, box.top, 12, 12);
      g.fillStyle = '#222';
      g.textAlign = 'left';
      g.fillText(name, legendX + 16, box.top + 11);
      legendX += g.measureText(name).width + 40;
    }
  }
}

export function formatRate(perSecond) {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e7 ? 0 : 1)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

// 1, 2 or 5 times a power of ten, at least `value`.
function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value);
}
