/* Ledger figures: reserve+commit pairs per second in memory and in an
 * SQLite file (process-crash safe, and fsync'ed every transaction), and,
 * when CUSTOPS_BENCH_PG names a server (bench/bench_ledger_pg.sh starts
 * one), PostgreSQL with 1, 4 and 16 client processes (pgbench-style: each
 * its own connection, all started together once connected), each on its
 * own coupon and budget, and all on one coupon (which must serialize).
 * Every transition is journaled and idempotency-keyed as a shop would
 * call it. */
#include "bench.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 1700000000

/* CPU seconds of this process: the machine is shared, so wall-clock rates
 * are reported beside rates per CPU second */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static double last_cpu;

static int setup_code(custops_ledger *l, const char *code, const char *campaign)
{
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = code;
    c.campaign = campaign;
    char key[64];
    snprintf(key, sizeof key, "bench-issue-%s", code);
    int rc = custops_ledger_issue(l, NULL, &c, key, T0);
    if (rc == CUSTOPS_OK || rc == CUSTOPS_EEXISTS)
        rc = custops_ledger_budget_add(l, NULL, campaign, INT64_C(1) << 50, NULL, T0);
    return rc;
}

static int setup(custops_ledger *l) { return setup_code(l, "BENCH", "bench"); }

/* n reserve+commit pairs with keys on a coupon; returns seconds or -1 */
static double pairs_on(custops_ledger *l, const char *code, int n, const char *tag)
{
    char order[64], rkey[80], ckey[80];
    double t0 = bench_now(), c0 = cpu_now();
    for (int i = 0; i < n; i++) {
        snprintf(order, sizeof order, "%s-%d", tag, i);
        snprintf(rkey, sizeof rkey, "r-%s", order);
        snprintf(ckey, sizeof ckey, "c-%s", order);
        if (custops_ledger_reserve(l, NULL, code, "cust", order, 100, 900, rkey, T0 + i / 1000) ||
            custops_ledger_commit(l, NULL, order, code, ckey, T0 + i / 1000)) {
            fprintf(stderr, "bench: %s\n", custops_last_error());
            return -1;
        }
    }
    last_cpu = cpu_now() - c0;
    return bench_now() - t0;
}

static double pairs(custops_ledger *l, int n, const char *tag) { return pairs_on(l, "BENCH", n, tag); }

static void file_case(bench_report *r, const char *name, int durable, int n, const char *goal, double goal_v)
{
    char dir[] = "/tmp/custops-bench-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char path[256];
    snprintf(path, sizeof path, "%s/ledger.db", dir);
    custops_ledger_options o = CUSTOPS_LEDGER_OPTIONS_INIT;
    o.durable = durable;
    custops_ledger *l;
    if (custops_ledger_open(&l, path, &o) == 0 && setup(l) == 0) {
        double dt = pairs(l, n, "f");
        if (dt > 0) {
            bench_record(r, name, n / dt, "pairs/s", goal, goal ? n / dt >= goal_v : -1);
            char cname[96];
            snprintf(cname, sizeof cname, "%s per CPU s", name);
            bench_record(r, cname, n / last_cpu, "pairs/s", NULL, -1);
        }
    }
    custops_ledger_free(l);
    char p[300];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* CPU seconds the server spent: the postmaster's own and its reaped
 * backends' (CUSTOPS_BENCH_PG_PIDFILE names its postmaster.pid); -1 when
 * unknown. The machine is shared, so CPU per pair is the steadier figure. */
static double server_cpu(void)
{
    const char *pidfile = getenv("CUSTOPS_BENCH_PG_PIDFILE");
    FILE *f = pidfile && pidfile[0] ? fopen(pidfile, "r") : NULL;
    long pid = 0;
    if (!f)
        return -1;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (pid <= 0 || !(f = fopen(path, "r")))
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* fields after the command name */
    unsigned long long v[15] = {0};
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                     &v[3]) != 4)
        return -1;
    return (double)(v[0] + v[1] + v[2] + v[3]) / (double)sysconf(_SC_CLK_TCK);
}

static double children_cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_CHILDREN, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* k processes each doing n pairs on the same server, each on its own
 * coupon and budget (shared = 0) or all on one coupon and budget. The
 * clock starts when every client is connected. */
static void pg_case(bench_report *r, const char *conn, int k, int n, int shared)
{
    custops_ledger *l;
    char code[32], campaign[32];
    for (int c = 0; c < (shared ? 1 : k); c++) {
        snprintf(code, sizeof code, shared ? "BENCH" : "BENCH-%d", c);
        snprintf(campaign, sizeof campaign, shared ? "bench" : "bench-%d", c);
        if (custops_ledger_open(&l, conn, NULL) || setup_code(l, code, campaign)) {
            fprintf(stderr, "bench: postgres: %s\n", custops_last_error());
            custops_ledger_free(l);
            return;
        }
        custops_ledger_free(l);
    }
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        return;
    pid_t pids[16];
    for (int c = 0; c < k; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            custops_ledger *cl;
            char tag[48], byte = 0;
            snprintf(tag, sizeof tag, "pg%d%c-%d-%d", k, shared ? 's' : 'o', c, (int)getpid());
            snprintf(code, sizeof code, shared ? "BENCH" : "BENCH-%d", c);
            close(ready[0]);
            close(go[1]);
            int bad = custops_ledger_open(&cl, conn, NULL) != 0;
            if (write(ready[1], &byte, 1) != 1 || read(go[0], &byte, 1) < 0) /* start together */
                bad = 1;
            if (!bad)
                bad = pairs_on(cl, code, n, tag) < 0;
            custops_ledger_free(cl);
            _exit(bad);
        }
    }
    close(ready[1]);
    close(go[0]);
    char byte;
    for (int c = 0; c < k; c++)
        if (read(ready[0], &byte, 1) != 1)
            break;
    double t0 = bench_now(), s0 = server_cpu(), c0 = children_cpu();
    close(go[1]); /* everyone reads end-of-file: go */
    close(ready[0]);
    int failed = 0;
    for (int c = 0; c < k; c++) {
        int st;
        waitpid(pids[c], &st, 0);
        failed |= !WIFEXITED(st) || WEXITSTATUS(st);
    }
    double dt = bench_now() - t0;
    usleep(300000); /* the server reaps the backends of the clients gone */
    double scpu = s0 >= 0 ? server_cpu() - s0 : -1, ccpu = children_cpu() - c0;
    char name[128];
    snprintf(name, sizeof name, "postgresql reserve+commit, %d client%s, %s", k, k > 1 ? "s" : "",
             shared ? "one coupon" : "own coupons");
    if (failed)
        return;
    bench_record(r, name, (double)k * n / dt, "pairs/s", NULL, -1);
    if (k == 1 || !shared) {
        snprintf(name, sizeof name, "  CPU per pair, %d client%s (clients%s)", k, k > 1 ? "s" : "",
                 scpu >= 0 ? " + server" : "");
        bench_record(r, name, ((scpu >= 0 ? scpu : 0) + ccpu) / ((double)k * n) * 1e6, "us", NULL, -1);
    }
}

int main(void)
{
    const char *pg = getenv("CUSTOPS_BENCH_PG");
    if (pg && pg[0]) { /* bench_ledger_pg.sh: a throwaway server, PostgreSQL figures only */
        const char *suite = getenv("CUSTOPS_BENCH_PG_SUITE");
        bench_report pr = {.suite = suite && suite[0] ? suite : "ledger_pg"};
        pg_case(&pr, pg, 1, 600, 0);
        pg_case(&pr, pg, 4, 250, 0);
        pg_case(&pr, pg, 16, 80, 0);
        pg_case(&pr, pg, 4, 150, 1);
        pg_case(&pr, pg, 16, 40, 1);
        bench_write(&pr);
        return 0;
    }
    bench_report r = {.suite = "ledger"};
    const int N = 100000;
    custops_ledger *l;
    if (custops_ledger_open(&l, "memory:", NULL) || setup(l))
        return 1;
    double dt = pairs(l, N, "m");
    if (dt > 0) {
        bench_record(&r, "memory reserve+commit (journal, keys)", N / dt, "pairs/s", NULL, -1);
        bench_record(&r, "memory reserve+commit per CPU second", N / last_cpu, "pairs/s", ">= 200000",
                     N / last_cpu >= 200000);
        bench_record(&r, "memory CPU per transition", last_cpu / (2.0 * N) * 1e6, "us", NULL, -1);
    }
    /* the memory journal is hashed lazily: the first reader pays for it */
    double t0 = bench_now();
    char *tail = NULL;
    if (custops_ledger_journal(&tail, l, INT64_MAX, 0) == 0)
        bench_record(&r, "journal hashing (SHA-256, deferred to the first read)", 2.0 * N / (bench_now() - t0),
                     "records/s", NULL, -1);
    custops_free(tail);
    t0 = bench_now();
    int64_t records;
    if (custops_ledger_verify(&records, NULL, l) == 0)
        bench_record(&r, "journal verify (SHA-256 chain)", records / (bench_now() - t0), "records/s", NULL, -1);
    custops_ledger_free(l);

    file_case(&r, "sqlite reserve+commit (synchronous=NORMAL)", 0, 5000, NULL, 0);
    file_case(&r, "sqlite reserve+commit (fsync each, FULL)", 1, 1000, NULL, 0);
    bench_write(&r);
    return 0;
}
