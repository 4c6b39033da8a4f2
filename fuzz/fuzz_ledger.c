/* Fuzz the ledger two ways: the bytes drive a sequence of transitions on an
 * in-memory ledger whose invariants are checked after every step (used +
 * reserved never above a limit, budgets never overspent, counters never
 * negative, the journal always verifying), and the same bytes are opened
 * as an SQLite ledger file (the loader must refuse garbage cleanly). */
#include "custops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_counter(custops_ledger *l, const char *key)
{
    int64_t lim, used, reserved;
    if (custops_ledger_counter(&lim, &used, &reserved, l, key) != CUSTOPS_OK)
        return;
    if (used < 0 || reserved < 0 || (lim >= 0 && used + reserved > lim))
        abort();
}

static void run_ops(const unsigned char *d, size_t n)
{
    custops_ledger *l;
    if (custops_ledger_open(&l, "memory:", NULL) != CUSTOPS_OK)
        return;
    static const char *codes[] = {"A", "B", "C"};
    static const char *custs[] = {"c1", "c2", NULL};
    for (int c = 0; c < 3; c++) {
        custops_ledger_coupon cp = CUSTOPS_LEDGER_COUPON_INIT;
        cp.code = codes[c];
        cp.max_uses = c + 1;
        cp.max_per_customer = c == 1 ? 1 : 0;
        cp.campaign = c == 2 ? "camp" : NULL;
        cp.restore_on_reversal = c != 0;
        custops_ledger_issue(l, NULL, &cp, NULL, 0);
    }
    custops_ledger_budget_add(l, NULL, "camp", 500, NULL, 0);
    int64_t now = 0;
    char order[16], key[16];
    for (size_t i = 0; i + 3 <= n && i < 3 * 400; i += 3) {
        unsigned op = d[i] % 7, a = d[i + 1], b = d[i + 2];
        const char *code = codes[a % 3];
        snprintf(order, sizeof order, "o%u", (a >> 2) % 8);
        snprintf(key, sizeof key, "k%u", b % 16);
        const char *k = b & 0x80 ? key : NULL;
        now += b % 5;
        switch (op) {
        case 0: custops_ledger_reserve(l, NULL, code, custs[b % 3], order, (int64_t)(b * 3), 1 + a % 20, k, now); break;
        case 1: custops_ledger_commit(l, NULL, order, code, k, now); break;
        case 2: custops_ledger_release(l, NULL, order, code, k, now); break;
        case 3: custops_ledger_reverse(l, NULL, order, code, b % 3 ? (int64_t)(b % 50) : CUSTOPS_LEDGER_REST, k, now); break;
        case 4: custops_ledger_expire(l, NULL, now); break;
        case 5: custops_ledger_budget_add(l, NULL, "camp", b, k, now); break;
        default: {
            custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
            custops_ledger_reservation(&r, l, order, code);
        }
        }
        check_counter(l, "code:A");
        check_counter(l, "code:B");
        check_counter(l, "code:C");
        check_counter(l, "code:B/cust:c1");
        check_counter(l, "code:B/cust:c2");
        check_counter(l, "budget:camp");
    }
    if (custops_ledger_verify(NULL, NULL, l) != CUSTOPS_OK)
        abort();
    custops_ledger_free(l);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    run_ops(data, size);
    char dir[] = "/tmp/fuzz-ledger-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    char path[64], p2[80];
    snprintf(path, sizeof path, "%s/l.db", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
        custops_ledger *l = NULL;
        if (custops_ledger_open(&l, path, NULL) == CUSTOPS_OK) {
            char *s = NULL;
            custops_ledger_verify(NULL, NULL, l);
            if (custops_ledger_show(&s, l) == CUSTOPS_OK)
                custops_free(s);
            custops_ledger_free(l);
        }
    }
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p2, sizeof p2, "%s%s", path, suffix[i]);
        unlink(p2);
    }
    rmdir(dir);
    return 0;
}
