/*
 * The C limit for benchmarks/run.sh: the same tests as the JMH benchmarks, with plain system calls and
 * nothing else. Each test runs ROUNDS (7, or TP_ROUNDS from the environment) timed rounds of about ROUND_MS
 * each and prints one line "name median r1 r2 ..." of ns per operation (median first, then every round in order), so run.sh can
 * put it beside the JMH figures.
 *
 *   pair        one thread: write 1 byte, read it back (blocking pipe)
 *   pingpong    two threads, round trip over two pipes, blocking read (pin the process to one CPU)
 *   pingpong-poll      the same, but every read waits in poll(POLLIN) on the pipe and a wake-up pipe first
 *   pingpong-nb-poll   the same over O_NONBLOCK pipes: read, on EAGAIN poll(pipe, wake-up pipe), read again
 *   throughput  one writer thread, one reader thread, 1 byte per call; ns per token read
 *   create      pipe2(O_CLOEXEC) + close both ends
 *   getppid     the cheapest system call, to compare with a JNA call of it
 *
 * The two pingpong-*poll variants are the alternatives to a blocking read that close() could wake; the
 * tokenpipe design uses the blocking read plus a thread-directed signal (as the JDK's NIO does).
 *
 * With TP_IDLE_THREAD=1 a second thread that only sleeps exists during the tests, and the names get a
 * "+thread" suffix: Linux takes faster paths for a process with one thread (no reference counting when
 * it looks up a descriptor), which a JVM, with its dozen threads, never gets.
 *
 * Build: gcc -O2 -pthread -o tokenpipe_ref tokenpipe_ref.c     Run: tokenpipe_ref [test...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 64
#define ROUND_MS 300

static int ROUNDS = 7; /* TP_ROUNDS in the environment changes it */
static const char *suffix = "";

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void make_pipe(int fds[2], int flags) {
    if (pipe2(fds, O_CLOEXEC | flags) != 0) {
        die("pipe2");
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double rounds[MAX_ROUNDS]; /* ns per op of each round of the last measure(), in order */

/* Runs op in batches until ROUND_MS passed, ROUNDS times; returns the median ns per op. */
static double measure(long long (*op)(long long n, void *arg), void *arg) {
    double results[MAX_ROUNDS];
    op(10000, arg); /* warm-up */
    for (int r = 0; r < ROUNDS; r++) {
        long long ops = 0, start = now_ns(), elapsed;
        do {
            ops += op(1000, arg);
            elapsed = now_ns() - start;
        } while (elapsed < ROUND_MS * 1000000LL);
        results[r] = rounds[r] = (double) elapsed / (double) ops;
    }
    qsort(results, ROUNDS, sizeof results[0], cmp_double);
    return results[ROUNDS / 2];
}

/* ---- pair ---- */
static long long pair_op(long long n, void *arg) {
    int *fds = arg;
    unsigned char b = 7;
    for (long long i = 0; i < n; i++) {
        if (write(fds[1], &b, 1) != 1 || read(fds[0], &b, 1) != 1 || b != 7) {
            die("pair");
        }
    }
    return n;
}

/* ---- ping-pong ---- */
enum wait_mode { BLOCKING, POLL_FIRST, NONBLOCK_POLL };

struct pingpong {
    int ping[2], pong[2], wake[2];
    enum wait_mode mode;
};

/* One token from fd under the chosen wait strategy; 1, or <= 0 at end of stream / error. */
static ssize_t read_token(struct pingpong *p, int fd, unsigned char *b) {
    struct pollfd pfd[2] = {{fd, POLLIN, 0}, {p->wake[0], POLLIN, 0}};
    switch (p->mode) {
    case BLOCKING:
        return read(fd, b, 1);
    case POLL_FIRST:
        if (poll(pfd, 2, -1) < 0) {
            return -1;
        }
        return read(fd, b, 1);
    case NONBLOCK_POLL:
        for (;;) {
            ssize_t n = read(fd, b, 1);
            if (n >= 0 || errno != EAGAIN) {
                return n;
            }
            if (poll(pfd, 2, -1) < 0) {
                return -1;
            }
        }
    }
    return -1;
}

static void *echo(void *arg) {
    struct pingpong *p = arg;
    unsigned char b;
    while (read_token(p, p->ping[0], &b) == 1) {
        if (write(p->pong[1], &b, 1) != 1) {
            break;
        }
    }
    return NULL;
}

static long long pingpong_op(long long n, void *arg) {
    struct pingpong *p = arg;
    unsigned char b = 1;
    for (long long i = 0; i < n; i++) {
        if (write(p->ping[1], &b, 1) != 1 || read_token(p, p->pong[0], &b) != 1) {
            die("pingpong");
        }
    }
    return n;
}

static double pingpong(enum wait_mode mode) {
    struct pingpong p = {.mode = mode};
    int flags = mode == NONBLOCK_POLL ? O_NONBLOCK : 0;
    make_pipe(p.ping, flags);
    make_pipe(p.pong, flags);
    make_pipe(p.wake, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, echo, &p) != 0) {
        die("pthread_create");
    }
    double ns = measure(pingpong_op, &p);
    close(p.ping[1]); /* echo sees end of stream */
    pthread_join(t, NULL);
    close(p.ping[0]);
    close(p.pong[0]);
    close(p.pong[1]);
    close(p.wake[0]);
    close(p.wake[1]);
    return ns;
}

/* ---- throughput ---- */
static void *writer(void *arg) {
    int fd = *(int *) arg;
    unsigned char b = 3;
    while (write(fd, &b, 1) == 1) {
    }
    return NULL;
}

static long long throughput_op(long long n, void *arg) {
    int fd = *(int *) arg;
    unsigned char b;
    for (long long i = 0; i < n; i++) {
        if (read(fd, &b, 1) != 1) {
            die("throughput");
        }
    }
    return n;
}

static double throughput(void) {
    int fds[2];
    make_pipe(fds, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, writer, &fds[1]) != 0) {
        die("pthread_create");
    }
    double ns = measure(throughput_op, &fds[0]);
    close(fds[0]); /* the writer gets EPIPE (SIGPIPE is ignored below) */
    pthread_join(t, NULL);
    close(fds[1]);
    return ns;
}

/* ---- create + close ---- */
static long long create_op(long long n, void *arg) {
    (void) arg;
    int fds[2];
    for (long long i = 0; i < n; i++) {
        make_pipe(fds, 0);
        close(fds[0]);
        close(fds[1]);
    }
    return n;
}

/* ---- getppid ---- */
static long long getppid_op(long long n, void *arg) {
    (void) arg;
    long long sum = 0;
    for (long long i = 0; i < n; i++) {
        sum += getppid();
    }
    return sum > 0 ? n : n; /* the sum keeps the calls */
}

static void *sleep_forever(void *arg) {
    (void) arg;
    for (;;) {
        pause();
    }
    return NULL;
}

static void run(const char *test) {
    double ns;
    int fds[2];
    if (strcmp(test, "pair") == 0) {
        make_pipe(fds, 0);
        ns = measure(pair_op, fds);
        close(fds[0]);
        close(fds[1]);
    } else if (strcmp(test, "pingpong") == 0) {
        ns = pingpong(BLOCKING);
    } else if (strcmp(test, "pingpong-poll") == 0) {
        ns = pingpong(POLL_FIRST);
    } else if (strcmp(test, "pingpong-nb-poll") == 0) {
        ns = pingpong(NONBLOCK_POLL);
    } else if (strcmp(test, "throughput") == 0) {
        ns = throughput();
    } else if (strcmp(test, "create") == 0) {
        ns = measure(create_op, NULL);
    } else if (strcmp(test, "getppid") == 0) {
        ns = measure(getppid_op, NULL);
    } else {
        fprintf(stderr, "unknown test %s (pair, pingpong, pingpong-poll, pingpong-nb-poll, throughput, create, getppid)\n",
                test);
        exit(2);
    }
    printf("%s%s %.1f", test, suffix, ns);
    for (int r = 0; r < ROUNDS; r++) {
        printf(" %.1f", rounds[r]);
    }
    printf("\n");
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *rounds_env = getenv("TP_ROUNDS");
    if (rounds_env != NULL) {
        ROUNDS = atoi(rounds_env);
        if (ROUNDS < 1 || ROUNDS > MAX_ROUNDS) {
            fprintf(stderr, "TP_ROUNDS %s is outside 1..%d\n", rounds_env, MAX_ROUNDS);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    const char *idle_env = getenv("TP_IDLE_THREAD");
    if (idle_env != NULL && strcmp(idle_env, "1") == 0) {
        pthread_t idle;
        if (pthread_create(&idle, NULL, sleep_forever, NULL) != 0) {
            die("pthread_create");
        }
        suffix = "+thread";
    }
    if (argc < 2) {
        const char *all[] = {"pair", "pingpong", "pingpong-poll", "pingpong-nb-poll", "throughput", "create",
                             "getppid"};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
            run(all[i]);
        }
    }
    for (int i = 1; i < argc; i++) {
        run(argv[i]);
    }
    return 0;
}
