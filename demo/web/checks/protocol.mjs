// Protocol checks over one plain arena, run by a coordinator thread (a page,
// or Node's main thread) and the workers it starts: the same checks run in
// Chromium (checks.html) and in Node (tests/browser-bundle.test.ts).
// Nothing here imports shmkit: each side passes in the shmkit/browser module
// it loaded. The coordinator uses only try and Async forms (a page's main
// thread may not block); workers use the blocking ones.

// A lost wake-up fails the check instead of hanging it.
const WAIT = { timeoutMs: 30_000 };
const SEGMENT_BYTES = 1 << 20;

let serial = 0;

/**
 * Runs check `name` with `shm` (shmkit/browser) on `arena`. `start(message)`
 * starts a worker that answers runRole(shm, message), and resolves with that
 * answer. Resolves with { name, ok, detail }.
 */
export async function runCheck(name, shm, arena, start) {
  const check = CHECKS[name];
  if (!check) throw new Error(`no check '${name}' (known: ${Object.keys(CHECKS).join(', ')})`);
  const segmentName = `check-${name}-${++serial}`;
  const seg = arena.createSegment(segmentName, { size: SEGMENT_BYTES });
  try {
    const spawn = (role, params = {}) => start({ role, arena: arena.share(), segment: segmentName, params });
    const { ok, detail } = await check.coordinate({ shm, seg, spawn });
    return { name, ok, detail };
  } finally {
    seg.close();
  }
}

/** A worker's part: joins the arena, opens the check's segment, plays `message.role`. */
export async function runRole(shm, message) {
  const [name, part] = message.role.split(':');
  const role = CHECKS[name]?.roles?.[part];
  if (!role) throw new Error(`no role '${message.role}'`);
  const seg = shm.joinArena(message.arena).openSegment(message.segment);
  try {
    return await role({ shm, seg, params: message.params });
  } finally {
    seg.close();
  }
}

// ---- message helpers ------------------------------------------------------

/** Message `seq` of a ring: 8 to 64 bytes, its sequence number first, then bytes only it has. */
function ringMessage(seq) {
  const bytes = new Uint8Array(8 + (seq % 57));
  new DataView(bytes.buffer).setUint32(0, seq, true);
  for (let i = 4; i < bytes.length; i++) bytes[i] = (seq * 31 + i) & 255;
  return bytes;
}

function isRingMessage(bytes, seq) {
  if (bytes.length !== 8 + (seq % 57)) return false;
  if (new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) !== seq) return false;
  for (let i = 4; i < bytes.length; i++) if (bytes[i] !== ((seq * 31 + i) & 255)) return false;
  return true;
}

/** A fixed-size slot message: [producer u32][seq u32]. */
function slotMessage(size, producer, seq) {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, producer, true);
  view.setUint32(4, seq, true);
  return bytes;
}

function readSlot(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(0, true), view.getUint32(4, true)];
}

function words(seg, name) {
  const bytes = seg.findOrCreate(name, { bytes: 64 });
  return new Int32Array(bytes.buffer, bytes.byteOffset, 16);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const triangle = (n) => (n * (n - 1)) / 2;

// ---- the checks -----------------------------------------------------------

const CHECKS = {
  // Several workers and the coordinator increment one plain counter under a
  // shmkit Mutex; nobody ever finds another inside the critical section.
  'mutex-counter': {
    async coordinate({ seg, spawn }) {
      const workers = 3;
      const rounds = 20_000;
      const mine = 500;
      const mutex = seg.mutex('m');
      const cell = words(seg, 'count');
      const answers = Array.from({ length: workers }, () => spawn('mutex-counter:add', { rounds }));
      let overlaps = 0;
      for (let i = 0; i < mine; i++) {
        if ((await mutex.lockAsync(WAIT)) !== 'acquired') throw new Error('lockAsync timed out');
        overlaps += enter(cell);
        mutex.unlock();
      }
      const results = await Promise.all(answers);
      overlaps += sum(results.map((r) => r.overlaps));
      const expected = workers * rounds + mine;
      return { ok: cell[0] === expected && overlaps === 0, detail: `count ${cell[0]} of ${expected}, ${overlaps} overlaps` };
    },
    roles: {
      add({ seg, params }) {
        const mutex = seg.mutex('m');
        const cell = words(seg, 'count');
        let overlaps = 0;
        for (let i = 0; i < params.rounds; i++) {
          if (mutex.lockSync(WAIT) !== 'acquired') throw new Error('lock timed out');
          overlaps += enter(cell);
          mutex.unlock();
        }
        return { overlaps };
      },
    },
  },

  // Every message arrives once, in order, intact: coordinator → worker and worker → worker.
  'spsc-order': {
    async coordinate({ seg, spawn }) {
      const count = 20_000;
      const fromHere = seg.ring('here-to-worker', 1 << 14);
      seg.ring('worker-to-worker', 1 << 14);
      const tx = fromHere.acquireProducer();
      const consumers = [spawn('spsc-order:consume', { ring: 'here-to-worker', count }), spawn('spsc-order:consume', { ring: 'worker-to-worker', count })];
      const producer = spawn('spsc-order:produce', { ring: 'worker-to-worker', count });
      for (let seq = 0; seq < count; seq++) {
        const message = ringMessage(seq);
        if (!tx.trySend(message) && !(await tx.sendAsync(message, WAIT))) throw new Error('sendAsync timed out');
      }
      tx.close();
      await producer;
      const [here, between] = await Promise.all(consumers);
      const good = (r) => r.received === count && r.bad === 0 && r.ended;
      return { ok: good(here) && good(between), detail: `page→worker ${describe(here)}; worker→worker ${describe(between)}` };
      function describe(r) {
        return `${r.received}/${count} received, ${r.bad} out of order or damaged${r.ended ? '' : ', no end seen'}`;
      }
    },
    roles: {
      produce({ seg, params }) {
        const tx = seg.ring(params.ring, 1 << 14).acquireProducer();
        for (let seq = 0; seq < params.count; seq++) if (!tx.sendSync(ringMessage(seq), WAIT)) throw new Error('sendSync timed out');
        tx.close();
        return {};
      },
      consume({ seg, params }) {
        const rx = seg.ring(params.ring, 1 << 14).acquireConsumer();
        let received = 0;
        let bad = 0;
        for (;;) {
          const message = rx.receiveSync(WAIT);
          if (message === null) break;
          if (!isRingMessage(message, received)) bad++;
          received++;
        }
        const ended = rx.ended;
        rx.close();
        return { received, bad, ended };
      },
    },
  },

  // Two producers (a worker and the coordinator), two consumer workers: every message is taken exactly once.
  'mpmc-counts': {
    async coordinate({ seg, spawn }) {
      const shape = { slots: 256, slotSize: 64 };
      const perProducer = 5_000;
      const queue = seg.queue('jobs', shape);
      const consumers = [spawn('mpmc-counts:pop', { shape }), spawn('mpmc-counts:pop', { shape })];
      const worker = spawn('mpmc-counts:push', { shape, producer: 1, count: perProducer });
      for (let seq = 0; seq < perProducer; seq++) {
        const message = slotMessage(shape.slotSize, 0, seq);
        if (!queue.tryPush(message) && !(await queue.pushAsync(message, WAIT))) throw new Error('pushAsync timed out');
      }
      await worker;
      queue.end();
      const taken = await Promise.all(consumers);
      const seen = [new Uint16Array(perProducer), new Uint16Array(perProducer)];
      let strays = 0;
      for (const { pairs } of taken) {
        for (let i = 0; i < pairs.length; i += 2) {
          const [producer, seq] = [pairs[i], pairs[i + 1]];
          if (producer > 1 || seq >= perProducer) strays++;
          else seen[producer][seq]++;
        }
      }
      const wrong = seen.reduce((n, counts) => n + counts.filter((c) => c !== 1).length, 0);
      const split = taken.map((t) => t.pairs.length / 2).join(' + ');
      return { ok: wrong === 0 && strays === 0 && taken.every((t) => t.ended), detail: `${split} taken of ${2 * perProducer}; ${wrong} not taken exactly once, ${strays} strays` };
    },
    roles: {
      push({ seg, params }) {
        const queue = seg.queue('jobs', params.shape);
        for (let seq = 0; seq < params.count; seq++) {
          if (!queue.pushSync(slotMessage(params.shape.slotSize, params.producer, seq), WAIT)) throw new Error('pushSync timed out');
        }
        return {};
      },
      pop({ seg, params }) {
        const queue = seg.queue('jobs', params.shape);
        const pairs = [];
        for (;;) {
          const message = queue.popSync(WAIT);
          if (message === null) break;
          pairs.push(...readSlot(message));
        }
        return { pairs, ended: queue.ended };
      },
    },
  },

  // One writer (the coordinator), three readers: each reader gets every message, none lost.
  'broadcast-fanout': {
    async coordinate({ seg, spawn }) {
      const readers = 3;
      const count = 5_000;
      const options = { slots: 64, slotSize: 64, mode: 'backpressure', maxReaders: 4 };
      const channel = seg.broadcast('ticks', options);
      const subscribed = seg.semaphore('subscribed', 0);
      const writer = channel.acquireWriter();
      const answers = Array.from({ length: readers }, () => spawn('broadcast-fanout:read', { options }));
      for (let i = 0; i < readers; i++) if (!(await subscribed.waitAsync(WAIT))) throw new Error('a reader never subscribed');
      for (let seq = 0; seq < count; seq++) {
        const message = slotMessage(16, 0, seq);
        if (!writer.tryPublish(message) && !(await writer.publishAsync(message, WAIT))) throw new Error('publishAsync timed out');
      }
      writer.close();
      const results = await Promise.all(answers);
      const good = (r) => r.count === count && r.inOrder && r.lost === 0 && r.ended;
      return { ok: results.every(good), detail: results.map((r) => `${r.count}/${count}${r.inOrder ? '' : ' out of order'}, ${r.lost} lost`).join('; ') };
    },
    roles: {
      read({ seg, params }) {
        const reader = seg.broadcast('ticks', params.options).subscribe();
        seg.semaphore('subscribed').post();
        let count = 0;
        let inOrder = true;
        for (;;) {
          const message = reader.readSync(WAIT);
          if (message === null) break;
          if (readSlot(message.data)[1] !== count) inOrder = false;
          count++;
        }
        const result = { count, inOrder, lost: reader.lost, ended: reader.ended };
        reader.close();
        return result;
      },
    },
  },

  // Workers pass a barrier round after round: nobody leaves a round before everyone arrived, one is 'last' each time.
  'barrier-rounds': {
    async coordinate({ seg, spawn }) {
      const parties = 3;
      const rounds = 300;
      seg.barrier('step', parties);
      const cell = words(seg, 'arrivals');
      const results = await Promise.all(Array.from({ length: parties }, () => spawn('barrier-rounds:arrive', { parties, rounds })));
      const lasts = sum(results.map((r) => r.lasts));
      const early = sum(results.map((r) => r.early));
      return { ok: lasts === rounds && early === 0 && cell[0] === parties * rounds, detail: `${rounds} rounds, ${lasts} 'last' answers, ${early} left early` };
    },
    roles: {
      arrive({ seg, params }) {
        const barrier = seg.barrier('step', params.parties);
        const cell = words(seg, 'arrivals');
        let lasts = 0;
        let early = 0;
        for (let round = 0; round < params.rounds; round++) {
          Atomics.add(cell, 0, 1);
          const result = barrier.arriveSync(WAIT);
          if (result === 'timed-out') throw new Error('barrier timed out');
          if (result === 'last') lasts++;
          if (Atomics.load(cell, 0) < (round + 1) * params.parties) early++;
        }
        return { lasts, early };
      },
    },
  },

  // Readers under an RwLock and a SeqLock never see a half-made update.
  'rwlock-seqlock': {
    async coordinate({ seg, spawn }) {
      const updates = 3_000;
      seg.rwlock('table');
      seg.seqlock('pose', 64);
      const done = seg.event('done');
      const table = words(seg, 'pair');
      const readers = [spawn('rwlock-seqlock:read'), spawn('rwlock-seqlock:read')];
      const writer = spawn('rwlock-seqlock:write', { updates });
      let torn = 0;
      const lock = seg.rwlock('table');
      while (!done.tryWait()) {
        if (!(await lock.readAsync(WAIT))) throw new Error('readAsync timed out');
        if (table[1] !== 2 * table[0]) torn++;
        lock.readUnlock();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await writer;
      const results = await Promise.all(readers);
      torn += sum(results.map((r) => r.torn));
      const reads = results.map((r) => `${r.reads} rwlock + ${r.seqReads} seqlock reads`).join(', ');
      return { ok: torn === 0 && table[0] === updates && results.every((r) => r.reads > 0 && r.seqReads > 0), detail: `${updates} updates; ${reads}; ${torn} torn` };
    },
    roles: {
      write({ seg, params }) {
        const lock = seg.rwlock('table');
        const seq = seg.seqlock('pose', 64);
        const table = words(seg, 'pair');
        const record = new Uint8Array(64);
        for (let i = 1; i <= params.updates; i++) {
          if (lock.writeSync(WAIT) !== 'acquired') throw new Error('write lock timed out');
          table[0] = i;
          table[1] = 2 * i;
          lock.writeUnlock();
          seq.write(record.fill(i & 255));
        }
        seg.event('done').set();
        return {};
      },
      read({ seg }) {
        const lock = seg.rwlock('table');
        const seq = seg.seqlock('pose', 64);
        const done = seg.event('done');
        const table = words(seg, 'pair');
        let torn = 0;
        let reads = 0;
        let seqReads = 0;
        do {
          if (!lock.readSync(WAIT)) throw new Error('read lock timed out');
          if (table[1] !== 2 * table[0]) torn++;
          lock.readUnlock();
          reads++;
          const copy = seq.readSync(64, WAIT);
          if (copy.some((byte) => byte !== copy[0])) torn++;
          seqReads++;
        } while (!done.tryWait());
        return { torn, reads, seqReads };
      },
    },
  },

  // An Event starts workers that race a Once (one runs it); a Condition hands items from the coordinator to a worker.
  'once-event-condition': {
    async coordinate({ seg, spawn }) {
      const racers = 3;
      const items = 200;
      const go = seg.event('go');
      seg.once('setup');
      const ran = words(seg, 'ran');
      const mutex = seg.mutex('box-lock');
      const changed = seg.condition('changed');
      const box = words(seg, 'box'); // [full, value]
      const answers = Array.from({ length: racers }, () => spawn('once-event-condition:race'));
      const taker = spawn('once-event-condition:take', { items });
      go.set();
      for (let item = 1; item <= items; item++) {
        if ((await mutex.lockAsync(WAIT)) !== 'acquired') throw new Error('lockAsync timed out');
        while (box[0] === 1) if ((await changed.waitAsync(mutex, WAIT)) === 'timed-out') throw new Error('waitAsync timed out');
        box[0] = 1;
        box[1] = item;
        changed.broadcast();
        mutex.unlock();
      }
      const results = await Promise.all(answers);
      const { total } = await taker;
      const runs = results.filter((r) => r.result === 'ran').length;
      const dones = results.filter((r) => r.result === 'done').length;
      return {
        ok: runs === 1 && dones === racers - 1 && ran[0] === 1 && total === triangle(items + 1),
        detail: `once: ${runs} ran, ${dones} done, init ran ${ran[0]}×; condition: ${items} items summing to ${total}`,
      };
    },
    roles: {
      race({ seg }) {
        if (!seg.event('go').waitSync(WAIT)) throw new Error('the go event never came');
        const ran = words(seg, 'ran');
        const result = seg.once('setup').runSync(() => {
          ran[0]++;
        }, WAIT);
        return { result };
      },
      take({ seg, params }) {
        const mutex = seg.mutex('box-lock');
        const changed = seg.condition('changed');
        const box = words(seg, 'box');
        let total = 0;
        for (let i = 0; i < params.items; i++) {
          if (mutex.lockSync(WAIT) !== 'acquired') throw new Error('lock timed out');
          while (box[0] === 0) if (changed.waitSync(mutex, WAIT) === 'timed-out') throw new Error('condition wait timed out');
          total += box[1];
          box[0] = 0;
          changed.broadcast();
          mutex.unlock();
        }
        return { total };
      },
    },
  },

  // A sync wait that must sleep: refused with a clear ENOTSUP on a thread that may not block
  // (a page's main thread), an ordinary timeout where blocking is allowed; the primitive stays sound.
  'main-thread-wait': {
    async coordinate({ shm, seg, spawn }) {
      const canBlock = shm.threadCanBlock();
      const empty = seg.semaphore('empty', 0);
      const mutex = seg.mutex('held');
      const taken = seg.semaphore('taken', 0);
      const release = seg.event('release');
      const holder = spawn('main-thread-wait:hold');
      if (!(await taken.waitAsync(WAIT))) throw new Error('the holder never took the mutex');
      const semaphore = outcome(() => empty.waitSync({ timeoutMs: 20 }));
      const lock = outcome(() => mutex.lockSync({ timeoutMs: 20, spin: 0 }));
      release.set();
      await holder;
      empty.post();
      const sound = empty.tryWait() && !(await empty.waitAsync({ timeoutMs: 20 })) && mutex.tryLock() === 'acquired';
      mutex.unlock();
      const refusedRight = (o) => o.code === 'ENOTSUP' && /Async/.test(o.message);
      const ok = sound && (canBlock ? semaphore.value === false && lock.value === 'timed-out' : refusedRight(semaphore) && refusedRight(lock));
      const said = (o) => (o.code ? `${o.code}: ${o.message}` : `returned ${JSON.stringify(o.value)}`);
      return { ok, detail: `this thread ${canBlock ? 'may' : 'may not'} block; semaphore.wait ${said(semaphore)}; contended mutex.lock ${said(lock)}; afterwards ${sound ? 'sound' : 'NOT sound'}` };
    },
    roles: {
      hold({ seg }) {
        const mutex = seg.mutex('held');
        if (mutex.lockSync(WAIT) !== 'acquired') throw new Error('lock timed out');
        seg.semaphore('taken').post();
        const released = seg.event('release').waitSync(WAIT);
        mutex.unlock();
        if (!released) throw new Error('never released');
        return {};
      },
    },
  },
};

/** Every check, in the order a runner goes through them. */
export const CHECK_NAMES = Object.keys(CHECKS);

// The critical section of 'mutex-counter': [count, inside]. 1 when someone else was inside.
function enter(cell) {
  const overlap = cell[1] !== 0 ? 1 : 0;
  cell[1] = 1;
  cell[0] = cell[0] + 1;
  cell[1] = 0;
  return overlap;
}

function outcome(call) {
  try {
    return { value: call() };
  } catch (error) {
    return { code: error?.code, message: String(error?.message ?? error) };
  }
}
