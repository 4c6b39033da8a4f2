/* The ledger journal: an append-only list of every transition, each record
 * chained to the one before by SHA-256, so editing, inserting, removing or
 * reordering records breaks the chain. The backend stores the records in
 * the same transaction as the state change (a transition is never
 * acknowledged before it is journaled) and keeps the head (last seq and
 * hash) beside them, so records cut off the end are noticed too. */
#include "ledger/ledger_internal.h"

#include <stdio.h>

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void custops__ledger_journal_hash(const lg_jrec *r, unsigned char out[32])
{
    lg_sha256 s;
    unsigned char nums[16];
    le64(nums, (uint64_t)r->seq);
    le64(nums + 8, (uint64_t)r->ts);
    custops__ledger_sha256_init(&s);
    custops__ledger_sha256_update(&s, r->prev, 32);
    custops__ledger_sha256_update(&s, nums, sizeof nums);
    custops__ledger_sha256_update(&s, r->body, r->body_len);
    custops__ledger_sha256_final(&s, out);
}

void custops__ledger_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

int custops__ledger_journal_add(lg_backend *b, int64_t ts, const char *body, size_t len, int64_t *seq)
{
    lg_jrec r;
    int rc = b->ops->journal_head(b, &r.seq, r.prev);
    if (rc)
        return rc;
    r.seq++;
    r.ts = ts;
    r.body = body;
    r.body_len = len;
    custops__ledger_journal_hash(&r, r.hash);
    rc = b->ops->journal_append(b, &r);
    if (rc == 0 && seq)
        *seq = r.seq;
    return rc;
}

typedef struct verify_state {
    int64_t n;
    unsigned char prev[32];
    int bad;
} verify_state;

static int verify_one(void *ud, const lg_jrec *r)
{
    verify_state *v = ud;
    unsigned char h[32];
    if (r->seq != v->n + 1)
        return custops__err(CUSTOPS_ECORRUPT, "journal: record %lld follows record %lld (missing or reordered records)",
                            (long long)r->seq, (long long)v->n);
    if (memcmp(r->prev, v->prev, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: record %lld does not link to record %lld", (long long)r->seq,
                            (long long)v->n);
    custops__ledger_journal_hash(r, h);
    if (memcmp(h, r->hash, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: record %lld was altered (hash mismatch)", (long long)r->seq);
    memcpy(v->prev, r->hash, 32);
    v->n = r->seq;
    return 0;
}

int custops__ledger_journal_verify(lg_backend *b, int64_t *nrecords, unsigned char head[32])
{
    verify_state v;
    memset(&v, 0, sizeof v);
    int rc = b->ops->journal_scan(b, verify_one, &v);
    if (rc)
        return rc;
    int64_t hseq;
    unsigned char hhash[32];
    rc = b->ops->journal_head(b, &hseq, hhash);
    if (rc)
        return rc;
    if (hseq != v.n || memcmp(hhash, v.prev, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: ends at record %lld but its head says %lld (truncated or rewritten)",
                            (long long)v.n, (long long)hseq);
    *nrecords = v.n;
    memcpy(head, v.prev, 32);
    return 0;
}
