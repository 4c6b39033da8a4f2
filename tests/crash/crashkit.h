/* Crash-safety harness: a child process saves state A, then B, then A...
 * in a loop; the parent kills it with SIGKILL at random moments and checks
 * that the file on disk is always exactly one complete state, never a part.
 * Each saver in the library gets a case built on this. */
#ifndef CUSTOPS_CRASHKIT_H
#define CUSTOPS_CRASHKIT_H

#include "testutil.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

typedef struct crash_case {
    const char *name;
    /* save state k (0 or 1) to path; returns a custops status */
    int (*save)(const char *path, int k, void *ud);
    /* which state is at path: 0, 1, or -1 for neither/corrupt (a failure) */
    int (*identify)(const char *path, void *ud);
    void *ud;
} crash_case;

/* Runs `kills` kill-and-check rounds; returns the number of bad states seen. */
static inline int crash_run(const crash_case *c, const char *path, int kills, unsigned seed)
{
    int bad = 0;
    srand(seed);
    /* a first complete save so the file exists */
    ck_assert_ok(c->save(path, 0, c->ud));
    for (int round = 0; round < kills; round++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            for (int k = 1;; k ^= 1)
                if (c->save(path, k, c->ud) != CUSTOPS_OK)
                    _exit(3);
        }
        /* let it run between 0.1 and 20 ms, then kill it mid-whatever */
        struct timespec ts = {0, 100000L + (long)(rand() % 20000) * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        ck_assert_msg(WIFSIGNALED(st), "%s: saver exited on its own (status %d)", c->name, st);
        int which = c->identify(path, c->ud);
        if (which < 0) {
            bad++;
            fprintf(stderr, "%s: round %d left a corrupt file: %s\n", c->name, round, custops_last_error());
        }
    }
    return bad;
}

#endif
