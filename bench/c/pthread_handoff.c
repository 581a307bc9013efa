// The physical limit for bench/sync.bench.ts: process-shared pthread mutexes
// (glibc, futex based) in C.
//
//   pthread_handoff uncontended <plain|robust|adaptive> <ops> <repeats>
//     one process, lock+unlock pairs; prints {"nsPerOp":[...]} (ns per pair)
//   pthread_handoff handoff <plain|robust|adaptive> <roundtrips> <repeats>
//     fork()s a second process; the two hand three PTHREAD_PROCESS_SHARED
//     mutexes round (each holds two, unlocks its older one, then locks the
//     one the other holds), so every lock waits for the other process's
//     unlock: strict alternation, one futex sleep and wake-up per handoff —
//     the same scheme bench/sync.bench.ts runs with shmkit mutexes.
//     Prints {"nsPerOp":[...],"roundTripNs":[...],"switches":s,"handoffs":h}
//     (ns per handoff per repeat; every round trip's latency, two handoffs
//     each; context switches, voluntary and involuntary, of both processes
//     over h handoffs, warm-up included: a waiter that slept, or was
//     preempted by the process it woke, on a shared CPU).
//
// plain: PTHREAD_MUTEX_NORMAL (never spins); robust: plus PTHREAD_MUTEX_ROBUST;
// adaptive: PTHREAD_MUTEX_ADAPTIVE_NP (spins a while before sleeping, like
// shmkit's default spin: 64).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err) {
  fprintf(stderr, "pthread_handoff: %s: %s\n", what, strerror(err));
  exit(2);
}

static long switches(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_nvcsw + u.ru_nivcsw;
}

static void init_mutex(pthread_mutex_t *m, int robust, int adaptive) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  int e = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  if (e) die("setpshared", e);
  if (robust && (e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST))) die("setrobust", e);
  if (adaptive && (e = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP))) die("settype", e);
  if ((e = pthread_mutex_init(m, &a))) die("mutex_init", e);
  pthread_mutexattr_destroy(&a);
}

static void lock(pthread_mutex_t *m) {
  int e = pthread_mutex_lock(m);
  if (e) die("lock (did the other process die?)", e);
}

static void unlock(pthread_mutex_t *m) {
  int e = pthread_mutex_unlock(m);
  if (e) die("unlock", e);
}

struct shared {
  pthread_mutex_t m[3] __attribute__((aligned(64)));
  volatile int ready __attribute__((aligned(64)));
  volatile int stop;
  volatile long child_switches;
};

static void print_list(const char *name, const double *v, long n, int last) {
  printf("\"%s\":[", name);
  for (long i = 0; i < n; i++) printf(i ? ",%.1f" : "%.1f", v[i]);
  printf("]%s", last ? "" : ",");
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s uncontended|handoff plain|robust <n> <repeats>\n", argv[0]);
    return 2;
  }
  const int handoff = strcmp(argv[1], "handoff") == 0;
  const int robust = strcmp(argv[2], "robust") == 0;
  const int adaptive = strcmp(argv[2], "adaptive") == 0;
  const long n = atol(argv[3]);
  const int repeats = atoi(argv[4]);
  double *per = calloc(repeats, sizeof *per);

  struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) die("mmap", errno);
  for (int i = 0; i < 3; i++) init_mutex(&s->m[i], robust, adaptive);

  if (!handoff) {
    pthread_mutex_t *m = &s->m[0];
    for (long i = 0; i < n; i++) { lock(m); unlock(m); } // warm-up
    for (int r = 0; r < repeats; r++) {
      uint64_t t = now_ns();
      for (long i = 0; i < n; i++) { lock(m); unlock(m); }
      per[r] = (double)(now_ns() - t) / n;
    }
    printf("{");
    print_list("nsPerOp", per, repeats, 1);
    printf("}\n");
    return 0;
  }

  const long warm = n / 4;
  const long total = warm + n * repeats;
  // Parent holds m0 and m1, child m2. Each step: unlock(m[k]), lock(m[k+2]).
  lock(&s->m[0]);
  lock(&s->m[1]);
  pid_t child = fork();
  if (child < 0) die("fork", errno);
  if (child == 0) {
    lock(&s->m[2]);
    long before = switches();
    __atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
    lock(&s->m[0]); // sleeps until the parent starts
    for (long k = 2;; k++) { // holds m[k%3], m[(k+1)%3]
      unlock(&s->m[k % 3]);
      lock(&s->m[(k + 2) % 3]);
      if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
        unlock(&s->m[(k + 1) % 3]);
        unlock(&s->m[(k + 2) % 3]);
        s->child_switches = switches() - before;
        _exit(0);
      }
    }
  }
  while (!__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST)) usleep(100);
  usleep(1000); // let the child go to sleep on m0

  double *rt = calloc(n * repeats, sizeof *rt);
  long before = switches();
  long k = 0; // parent holds m[k%3], m[(k+1)%3]
  for (long i = 0; i < warm; i++, k++) { unlock(&s->m[k % 3]); lock(&s->m[(k + 2) % 3]); }
  for (int r = 0; r < repeats; r++) {
    uint64_t start = now_ns(), prev = start;
    for (long i = 0; i < n; i++, k++) {
      unlock(&s->m[k % 3]);
      lock(&s->m[(k + 2) % 3]);
      uint64_t t = now_ns();
      rt[r * n + i] = (double)(t - prev);
      prev = t;
    }
    per[r] = (double)(prev - start) / (2.0 * n); // two handoffs per round trip
  }
  long parent_switches = switches() - before;
  __atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
  unlock(&s->m[k % 3]);
  unlock(&s->m[(k + 1) % 3]);
  int status;
  if (waitpid(child, &status, 0) < 0) die("waitpid", errno);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "pthread_handoff: child failed\n"); return 1; }
  printf("{");
  print_list("nsPerOp", per, repeats, 0);
  print_list("roundTripNs", rt, n * repeats, 0);
  printf("\"switches\":%ld,\"handoffs\":%ld}\n", parent_switches + s->child_switches, 2 * total);
  return 0;
}
