// The physical limits for bench/channel.bench.ts: two processes (fork) over
// a MAP_SHARED anonymous mapping, no library in between.
//
//   ring pingpong spin|spin-sc|futex|adaptive <seconds> <repeats>
//     round trips of a 64-byte message: the parent copies it into the ping
//     slot and bumps a sequence word; the child copies it out, copies it into
//     the pong slot and bumps its word; the parent copies the reply out.
//     spin: both sides busy-wait (pause). spin-sc: the same written as JS
//     or Wasm must write it: no pause (neither has one) and sequentially
//     consistent stores (their only atomic store; an xchg on x86). futex: both sides sleep in
//     FUTEX_WAIT whenever the word has not changed yet and every bump is
//     followed by FUTEX_WAKE (the blocking limit: one sleep and one wake-up
//     per direction). adaptive: spin up to 2000 times, then sleep, announcing
//     it in a sleepers word; a bump wakes only when someone sleeps (what a
//     waiter flag with a spin phase can do at best).
//   ring msgs one|batch <seconds> <repeats> <capacity> <batch>
//     an SPSC byte ring (records: u32 length, u32 spare, payload, 8-byte
//     aligned; a record that would not fit before the end leaves a pad
//     marker and starts again at 0, so no message is split). The parent
//     produces 64-byte messages (64 bytes copied in, sequence number in the
//     first 8), the child consumes them (reads and checks the sequence
//     number). one: the producer publishes its tail after every message and
//     the consumer releases its head after every message. batch: both
//     publish once per <batch> messages.
//   ring stream <bytes> <repeats> <capacity> <chunk>
//     <bytes> through the same ring in <chunk>-byte records, copied in from
//     a source buffer and out into a destination buffer (two copies, like a
//     socket: user buffer → kernel → user buffer).
//
// Each mode calibrates its count so one repeat takes about <seconds> (not
// stream: that moves <bytes> per repeat), runs a warm-up, then prints
// {"nsPerOp":[...]}: ns per round trip, per message, or per byte.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAD 0xffffffffu
#define ALIGN8(n) (((n) + 7u) & ~(uint64_t)7u)

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err) {
  fprintf(stderr, "ring: %s: %s\n", what, strerror(err));
  exit(2);
}

// One spin of a busy-wait. (It never yields: tried, sched_yield() every
// 16384 spins made things far worse on a machine with a third busy process,
// handing whole time slices to it while the peer waited.)
static int plain_spin; // spin-sc: what JS and Wasm atomics can express

static inline void cpu_relax(void) {
  if (plain_spin) return;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static void futex_wait(uint32_t *word, uint32_t expected) {
  syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_wake(uint32_t *word) {
  syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static void *shared_map(size_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap", errno);
  memset(p, 0, bytes); // fault every page in before timing
  return p;
}

static pid_t fork_child(void) {
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) die("fork", errno);
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the benchmark
    if (getppid() != parent) _exit(1);
  }
  return child;
}

static int reap(pid_t child) {
  int status;
  if (waitpid(child, &status, 0) < 0) die("waitpid", errno);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "ring: child failed\n");
    return 1;
  }
  return 0;
}

static void print_result(const double *per, int repeats) {
  printf("{\"nsPerOp\":[");
  for (int r = 0; r < repeats; r++) printf(r ? ",%.4f" : "%.4f", per[r]);
  printf("]}\n");
}

// ─── ping-pong ───────────────────────────────────────────────────────────

struct pingpong {
  _Alignas(64) unsigned char ping[64];
  uint32_t ping_seq;
  uint32_t ping_sleepers; // adaptive: waiters asleep on ping_seq
  _Alignas(64) unsigned char pong[64];
  uint32_t pong_seq;
  uint32_t pong_sleepers;
  _Alignas(64) uint32_t stop;
  uint32_t bad;
};

static int blocking; // 0 spin, 1 futex, 2 adaptive
#define ADAPTIVE_SPINS 2000

// The sleepers word sits right after the sequence word it counts waiters of.
static inline uint32_t *sleepers(uint32_t *word) { return word + 1; }

static inline uint32_t await_change(uint32_t *word, uint32_t old) {
  uint32_t v;
  if (blocking == 2) {
    for (int i = 0; i < ADAPTIVE_SPINS; i++) {
      if ((v = LOAD(word)) != old) return v;
      cpu_relax();
    }
    while ((v = __atomic_load_n(word, __ATOMIC_SEQ_CST)) == old) {
      __atomic_add_fetch(sleepers(word), 1, __ATOMIC_SEQ_CST);
      if (__atomic_load_n(word, __ATOMIC_SEQ_CST) == old) futex_wait(word, old);
      __atomic_sub_fetch(sleepers(word), 1, __ATOMIC_SEQ_CST);
    }
    return v;
  }
  while ((v = LOAD(word)) == old) {
    if (blocking) futex_wait(word, old);
    else cpu_relax();
  }
  return v;
}

static inline void bump(uint32_t *word, uint32_t v) {
  if (blocking == 2) {
    __atomic_store_n(word, v, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(sleepers(word), __ATOMIC_SEQ_CST)) futex_wake(word);
    return;
  }
  if (plain_spin) __atomic_store_n(word, v, __ATOMIC_SEQ_CST);
  else STORE(word, v);
  if (blocking) futex_wake(word);
}

static uint32_t seq;

static void round_trips(struct pingpong *s, long n) {
  unsigned char msg[64], reply[64];
  memset(msg, 0x5a, sizeof msg);
  for (long i = 0; i < n; i++) {
    uint32_t next = ++seq;
    memcpy(msg, &next, 4);
    memcpy(s->ping, msg, 64);
    bump(&s->ping_seq, next);
    await_change(&s->pong_seq, next - 1);
    memcpy(reply, s->pong, 64);
    uint32_t got;
    memcpy(&got, reply, 4);
    if (got != next) s->bad++;
  }
}

static int pingpong(int argc, char **argv) {
  if (argc != 5) return -1;
  blocking = strcmp(argv[2], "futex") == 0 ? 1 : strcmp(argv[2], "adaptive") == 0 ? 2 : 0;
  plain_spin = strcmp(argv[2], "spin-sc") == 0;
  const double seconds = atof(argv[3]);
  const int repeats = atoi(argv[4]);
  struct pingpong *s = shared_map(sizeof *s);
  pid_t child = fork_child();
  if (child == 0) {
    unsigned char buf[64];
    uint32_t last = 0;
    for (;;) {
      uint32_t v = await_change(&s->ping_seq, last);
      last = v;
      if (LOAD(&s->stop)) _exit(0);
      memcpy(buf, s->ping, 64);
      memcpy(s->pong, buf, 64);
      bump(&s->pong_seq, v);
    }
  }
  long n = 1000;
  for (;;) { // warm up and calibrate
    uint64_t t = now_ns();
    round_trips(s, n);
    double took = (double)(now_ns() - t);
    if (took > 5e7) {
      n = (long)(n * seconds * 1e9 / took) + 1;
      break;
    }
    n *= 4;
  }
  double *per = calloc(repeats, sizeof *per);
  for (int r = 0; r < repeats; r++) {
    uint64_t t = now_ns();
    round_trips(s, n);
    per[r] = (double)(now_ns() - t) / n;
  }
  STORE(&s->stop, 1);
  bump(&s->ping_seq, ++seq);
  if (reap(child)) return 1;
  if (s->bad) {
    fprintf(stderr, "ring: %u replies with a wrong sequence number\n", s->bad);
    return 1;
  }
  print_result(per, repeats);
  return 0;
}

// ─── SPSC byte ring ──────────────────────────────────────────────────────

struct ring {
  _Alignas(64) uint64_t tail; // producer's: bytes published
  _Alignas(64) uint64_t head; // consumer's: bytes released
  _Alignas(64) uint64_t phase; // parent: a new phase of `count` items
  uint64_t count;
  uint32_t stop;
  _Alignas(64) uint64_t done; // child: the last phase it finished
  uint64_t bad;
  _Alignas(64) unsigned char data[];
};

struct producer {
  struct ring *r;
  uint64_t cap, mask, tail, head_cache;
};

struct consumer {
  struct ring *r;
  uint64_t cap, mask, head, tail_cache;
};

// Room for `need` more bytes after the tail, publishing what is written first.
static inline void wait_space(struct producer *p, uint64_t need) {
  if (p->tail + need - p->head_cache <= p->cap) return;
  STORE(&p->r->tail, p->tail);
  while (p->tail + need - (p->head_cache = LOAD(&p->r->head)) > p->cap) cpu_relax();
}

// Claims a record for `len` payload bytes; returns where the payload goes.
static inline unsigned char *claim(struct producer *p, uint32_t len) {
  uint64_t rec = ALIGN8(8 + (uint64_t)len);
  uint64_t pos = p->tail & p->mask;
  if (pos + rec > p->cap) { // would not fit before the end: pad to it
    wait_space(p, p->cap - pos);
    *(uint32_t *)(p->r->data + pos) = PAD;
    p->tail += p->cap - pos;
    pos = 0;
  }
  wait_space(p, rec);
  *(uint32_t *)(p->r->data + pos) = len;
  p->tail += rec;
  return p->r->data + pos + 8;
}

static inline void publish(struct producer *p) { STORE(&p->r->tail, p->tail); }

// The next record's payload (length in *len), or NULL if none is published.
static inline const unsigned char *peek(struct consumer *c, uint32_t *len) {
  for (;;) {
    if (c->head == c->tail_cache && c->head == (c->tail_cache = LOAD(&c->r->tail))) return NULL;
    uint64_t pos = c->head & c->mask;
    uint32_t l = *(const uint32_t *)(c->r->data + pos);
    if (l == PAD) {
      c->head += c->cap - pos;
      continue;
    }
    *len = l;
    return c->r->data + pos + 8;
  }
}

static inline void consumed(struct consumer *c, uint32_t len) { c->head += ALIGN8(8 + (uint64_t)len); }
static inline void release(struct consumer *c) { STORE(&c->r->head, c->head); }

static struct ring *make_ring(uint64_t cap) {
  if (cap < 4096 || (cap & (cap - 1))) { fprintf(stderr, "ring: capacity must be a power of two ≥ 4096\n"); exit(2); }
  return shared_map(sizeof(struct ring) + cap);
}

static int batch_size;
static uint64_t next_seq;

static void produce(struct producer *p, uint64_t n) {
  unsigned char msg[64];
  memset(msg, 0x5a, sizeof msg);
  for (uint64_t i = 0; i < n; i++) {
    unsigned char *at = claim(p, 64);
    memcpy(at, msg, 64);
    memcpy(at, &next_seq, 8);
    next_seq++;
    if (batch_size <= 1 || (i + 1) % batch_size == 0) publish(p);
  }
  publish(p);
}

static void consume(struct consumer *c, uint64_t n, uint64_t *expected) {
  uint64_t since = 0;
  while (n) {
    uint32_t len;
    const unsigned char *at = peek(c, &len);
    if (!at) {
      if (since) { release(c); since = 0; }
      cpu_relax();
      continue;
    }
    uint64_t s;
    memcpy(&s, at, 8);
    if (s != *expected || len != 64) c->r->bad++;
    (*expected)++;
    consumed(c, len);
    n--;
    if (batch_size <= 1 || ++since == (uint64_t)batch_size) { release(c); since = 0; }
  }
  release(c);
}

static void stream_in(struct producer *p, uint64_t bytes, uint32_t chunk, const unsigned char *src) {
  while (bytes) {
    uint32_t len = bytes < chunk ? (uint32_t)bytes : chunk;
    memcpy(claim(p, len), src, len);
    publish(p);
    bytes -= len;
  }
}

static void stream_out(struct consumer *c, uint64_t bytes, unsigned char *dst) {
  while (bytes) {
    uint32_t len;
    const unsigned char *at = peek(c, &len);
    if (!at) { cpu_relax(); continue; }
    memcpy(dst, at, len);
    if (dst[0] != 0x5a || len > bytes) c->r->bad++;
    consumed(c, len);
    release(c);
    bytes -= len;
  }
}

// Runs one phase: the child handles `count` items while the parent produces them.
static double phase(struct ring *r, struct producer *p, uint64_t count, int stream, uint32_t chunk, const unsigned char *src) {
  uint64_t t = now_ns();
  r->count = count;
  uint64_t ph = r->phase + 1;
  STORE(&r->phase, ph);
  if (stream) stream_in(p, count, chunk, src);
  else produce(p, count);
  while (LOAD(&r->done) != ph) cpu_relax();
  return (double)(now_ns() - t);
}

static int ring_modes(int argc, char **argv) {
  const int stream = strcmp(argv[1], "stream") == 0;
  if (argc != (stream ? 6 : 7)) return -1;
  double seconds = 0;
  uint64_t bytes = 0;
  int repeats;
  uint64_t cap;
  uint32_t chunk = 64;
  if (stream) {
    bytes = strtoull(argv[2], NULL, 10);
    repeats = atoi(argv[3]);
    cap = strtoull(argv[4], NULL, 10);
    chunk = (uint32_t)atol(argv[5]);
    if (chunk == 0 || ALIGN8(8 + (uint64_t)chunk) > cap / 2) { fprintf(stderr, "ring: chunk too large for the ring\n"); return 2; }
  } else {
    batch_size = strcmp(argv[2], "batch") == 0 ? atoi(argv[6]) : 1;
    seconds = atof(argv[3]);
    repeats = atoi(argv[4]);
    cap = strtoull(argv[5], NULL, 10);
  }

  struct ring *r = make_ring(cap);
  unsigned char *src = NULL, *dst = NULL;
  if (stream) {
    src = malloc(chunk);
    dst = malloc(chunk);
    memset(src, 0x5a, chunk);
    memset(dst, 0, chunk);
  }
  pid_t child = fork_child();
  if (child == 0) {
    struct consumer c = { r, cap, cap - 1, 0, 0 };
    uint64_t expected = 0, seen = 0;
    for (;;) {
      uint64_t ph;
      while ((ph = LOAD(&r->phase)) == seen) {
        if (LOAD(&r->stop)) _exit(0);
        cpu_relax();
      }
      seen = ph;
      if (LOAD(&r->stop)) _exit(0);
      if (stream) stream_out(&c, r->count, dst);
      else consume(&c, r->count, &expected);
      STORE(&r->done, ph);
    }
  }
  struct producer p = { r, cap, cap - 1, 0, 0 };
  double *per = calloc(repeats, sizeof *per);
  if (stream) {
    phase(r, &p, bytes / 4 < (256u << 20) ? bytes / 4 : (256u << 20), 1, chunk, src); // warm-up
    for (int i = 0; i < repeats; i++) per[i] = phase(r, &p, bytes, 1, chunk, src) / (double)bytes;
  } else {
    uint64_t n = 100000;
    for (;;) { // warm up and calibrate
      double took = phase(r, &p, n, 0, 0, NULL);
      if (took > 5e7) {
        n = (uint64_t)(n * seconds * 1e9 / took) + 1;
        break;
      }
      n *= 4;
    }
    for (int i = 0; i < repeats; i++) per[i] = phase(r, &p, n, 0, 0, NULL) / (double)n;
  }
  STORE(&r->stop, 1);
  if (reap(child)) return 1;
  if (r->bad) {
    fprintf(stderr, "ring: %llu messages arrived wrong\n", (unsigned long long)r->bad);
    return 1;
  }
  print_result(per, repeats);
  return 0;
}

int main(int argc, char **argv) {
  int rc = -1;
  if (argc >= 2 && strcmp(argv[1], "pingpong") == 0) rc = pingpong(argc, argv);
  else if (argc >= 2 && (strcmp(argv[1], "msgs") == 0 || strcmp(argv[1], "stream") == 0)) rc = ring_modes(argc, argv);
  if (rc == -1) {
    fprintf(stderr,
            "usage: %s pingpong spin|spin-sc|futex|adaptive <seconds> <repeats>\n"
            "       %s msgs one|batch <seconds> <repeats> <capacity> <batch>\n"
            "       %s stream <bytes> <repeats> <capacity> <chunk>\n",
            argv[0], argv[0], argv[0]);
    return 2;
  }
  return rc;
}
