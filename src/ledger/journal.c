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

int custops__ledger_journal_add(lg_backend *b, const char *chain, int64_t ts, const char *body, size_t len, int64_t *seq)
{
    lg_jrec r;
    int lazy = b->ops->lazy_hash;
    int rc = b->ops->journal_head(b, chain, &r.seq, lazy ? NULL : r.prev);
    if (rc)
        return rc;
    r.seq++;
    r.ts = ts;
    r.chain = chain;
    r.body = body;
    r.body_len = len;
    if (!lazy)
        custops__ledger_journal_hash(&r, r.hash);
    rc = b->ops->journal_append(b, &r);
    if (rc == 0 && seq)
        *seq = r.seq;
    return rc;
}

/* Folds chain heads into one head (chains backends). */
typedef struct head_fold {
    lg_sha256 s;
    int64_t chains, records;
    unsigned char first[32];
} head_fold;

static void fold_add(head_fold *f, const char *chain, int64_t seq, const unsigned char hash[32])
{
    unsigned char n[8];
    le64(n, (uint64_t)seq);
    custops__ledger_sha256_update(&f->s, chain, strlen(chain) + 1);
    custops__ledger_sha256_update(&f->s, n, 8);
    custops__ledger_sha256_update(&f->s, hash, 32);
    if (f->chains++ == 0)
        memcpy(f->first, hash, 32);
    f->records += seq;
}

static void fold_end(head_fold *f, unsigned char head[32])
{
    if (f->chains == 0)
        memset(head, 0, 32);
    else if (f->chains == 1)
        memcpy(head, f->first, 32);
    else
        custops__ledger_sha256_final(&f->s, head);
}

static int fold_head(void *ud, const char *chain, int64_t seq, const unsigned char hash[32])
{
    fold_add(ud, chain, seq, hash);
    return 0;
}

int custops__ledger_journal_summary(lg_backend *b, int64_t *nrecords, unsigned char head[32])
{
    if (!b->ops->chains)
        return b->ops->journal_head(b, "", nrecords, head);
    head_fold f;
    memset(&f, 0, sizeof f);
    custops__ledger_sha256_init(&f.s);
    int rc = b->ops->head_scan(b, fold_head, &f);
    if (rc)
        return rc;
    fold_end(&f, head);
    *nrecords = f.records;
    return 0;
}

/* Chains found while scanning, in order, to compare with the heads. */
typedef struct chain_end {
    char *name;
    int64_t seq;
    unsigned char hash[32];
} chain_end;

typedef struct verify_state {
    int64_t n, total;
    unsigned char prev[32];
    char chain[3 * LG_ID + 16];
    int multi;
    chain_end *ends;
    size_t nends, cap;
} verify_state;

static int end_chain(verify_state *v)
{
    if (!v->multi || v->n == 0)
        return 0;
    int rc = CUSTOPS__GROW(v->ends, v->cap, v->nends + 1);
    if (rc)
        return rc;
    chain_end *e = &v->ends[v->nends];
    if (!(e->name = custops__strdup(v->chain)))
        return custops__nomem();
    v->nends++;
    e->seq = v->n;
    memcpy(e->hash, v->prev, 32);
    return 0;
}

static int verify_one(void *ud, const lg_jrec *r)
{
    verify_state *v = ud;
    unsigned char h[32];
    const char *chain = r->chain ? r->chain : "";
    if (v->multi && strcmp(chain, v->chain) != 0) {
        if (v->n > 0 && strcmp(chain, v->chain) < 0)
            return custops__err(CUSTOPS_ECORRUPT, "journal: chain '%s' comes after chain '%s' (reordered records)",
                                chain, v->chain);
        int rc = end_chain(v);
        if (rc)
            return rc;
        if (strlen(chain) >= sizeof v->chain)
            return custops__err(CUSTOPS_ECORRUPT, "journal: a chain name is too long");
        strcpy(v->chain, chain);
        v->n = 0;
        memset(v->prev, 0, 32);
    }
    if (r->seq != v->n + 1)
        return custops__err(CUSTOPS_ECORRUPT, "journal: %s%s%srecord %lld follows record %lld (missing or reordered records)",
                            v->multi ? "chain '" : "", v->multi ? chain : "", v->multi ? "': " : "", (long long)r->seq,
                            (long long)v->n);
    if (memcmp(r->prev, v->prev, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: %s%s%srecord %lld does not link to record %lld",
                            v->multi ? "chain '" : "", v->multi ? chain : "", v->multi ? "': " : "", (long long)r->seq,
                            (long long)v->n);
    custops__ledger_journal_hash(r, h);
    if (memcmp(h, r->hash, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: %s%s%srecord %lld was altered (hash mismatch)",
                            v->multi ? "chain '" : "", v->multi ? chain : "", v->multi ? "': " : "", (long long)r->seq);
    memcpy(v->prev, r->hash, 32);
    v->n = r->seq;
    v->total++;
    return 0;
}

/* chains backends: every head must match the end of its chain, one for one */
typedef struct head_check {
    verify_state *v;
    size_t i;
    head_fold f;
} head_check;

static int check_head(void *ud, const char *chain, int64_t seq, const unsigned char hash[32])
{
    head_check *c = ud;
    if (seq == 0)
        return 0; /* a chain reserved by a transaction that wrote nothing */
    if (c->i >= c->v->nends || strcmp(chain, c->v->ends[c->i].name) != 0)
        return custops__err(CUSTOPS_ECORRUPT, "journal: chain '%s' has a head but %s", chain,
                            c->i < c->v->nends ? "its records are missing" : "no records (truncated or rewritten)");
    const chain_end *e = &c->v->ends[c->i++];
    if (e->seq != seq || memcmp(e->hash, hash, 32) != 0)
        return custops__err(CUSTOPS_ECORRUPT,
                            "journal: chain '%s' ends at record %lld but its head says %lld (truncated or rewritten)",
                            chain, (long long)e->seq, (long long)seq);
    fold_add(&c->f, chain, seq, hash);
    return 0;
}

int custops__ledger_journal_verify(lg_backend *b, int64_t *nrecords, unsigned char head[32])
{
    verify_state v;
    memset(&v, 0, sizeof v);
    v.multi = b->ops->chains;
    int rc = b->ops->journal_scan(b, verify_one, &v);
    if (!rc)
        rc = end_chain(&v);
    if (!rc && v.multi) {
        head_check c;
        memset(&c, 0, sizeof c);
        c.v = &v;
        custops__ledger_sha256_init(&c.f.s);
        rc = b->ops->head_scan(b, check_head, &c);
        if (!rc && c.i != v.nends)
            rc = custops__err(CUSTOPS_ECORRUPT, "journal: chain '%s' has records but no head (rewritten)",
                              v.ends[c.i].name);
        if (!rc) {
            fold_end(&c.f, head);
            *nrecords = v.total;
        }
    } else if (!rc) {
        int64_t hseq;
        unsigned char hhash[32];
        rc = b->ops->journal_head(b, "", &hseq, hhash);
        if (!rc && (hseq != v.n || memcmp(hhash, v.prev, 32) != 0))
            rc = custops__err(CUSTOPS_ECORRUPT,
                              "journal: ends at record %lld but its head says %lld (truncated or rewritten)",
                              (long long)v.n, (long long)hseq);
        if (!rc) {
            *nrecords = v.n;
            memcpy(head, v.prev, 32);
        }
    }
    for (size_t i = 0; i < v.nends; i++)
        custops__free(v.ends[i].name);
    custops__free(v.ends);
    return rc;
}
