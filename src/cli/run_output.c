/* custops run, stage 4: outputs. The per-customer table (CSV and JSON
 * Lines), the audience and reminder lists, the HTML report and the summary
 * on the terminal. Everything is written into the staging directory; the
 * caller swaps it into place only when all of it succeeded. */
#include "run.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct text_cols {
    const char **names; /* dictionary names by code */
    size_t n;
    custops_frame *f;
} text_cols;

static int dict_open(run_state *st, const char *name, text_cols *d)
{
    memset(d, 0, sizeof *d);
    if (custops_store_dict(st->store, name, &d->f))
        return cli_fail("run", custops_last_status(), "dictionary");
    d->n = custops_frame_nrows(d->f);
    d->names = calloc(d->n ? d->n : 1, sizeof *d->names);
    for (size_t i = 0; d->names && i < d->n; i++)
        custops_frame_string(d->f, 0, i, &d->names[i]);
    return d->names ? 0 : 1;
}

static void dict_close(text_cols *d)
{
    free(d->names);
    custops_frame_free(d->f);
}

static const char *str_at(const custops_frame *f, const char *col, size_t row)
{
    size_t c;
    const char *s = "";
    if (custops_frame_find(f, col, &c) == 0)
        custops_frame_string(f, c, row, &s);
    return s;
}

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void money(const run_state *st, int64_t minor, char *buf, size_t cap)
{
    if (custops_money_format(minor, st->exponent, buf, cap))
        snprintf(buf, cap, "%lld", (long long)minor);
}

static void date_of(int64_t day, char *buf, size_t cap)
{
    int y, m, d;
    if (day < 0) {
        buf[0] = '\0';
        return;
    }
    custops_day_to_date((int32_t)day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/* The audiences a customer is in ("a|b"), and the first coupon and message they receive. */
static void decisions_of(const run_state *st, size_t row, char *names, size_t cap, const char **coupon,
                         const char **message)
{
    size_t used = 0;
    names[0] = '\0';
    *coupon = *message = "";
    for (size_t a = 0; a < st->naud; a++) {
        if (!custops_bitset_test(st->aud[a].members, row))
            continue;
        int w = snprintf(names + used, cap - used, "%s%s", used ? "|" : "", st->aud[a].name);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
        if (!(*coupon)[0] && st->aud[a].coupon[0])
            *coupon = st->aud[a].coupon;
        if (!(*message)[0] && st->aud[a].message[0])
            *message = st->aud[a].message;
    }
}

static FILE *open_out(const run_state *st, const char *file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", st->staging, file);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "custops run: cannot write %s\n", path);
    return f;
}

static int close_out(FILE *f, const char *file)
{
    int bad = ferror(f);
    if (fflush(f) || fsync(fileno(f)))
        bad = 1;
    if (fclose(f))
        bad = 1;
    if (bad)
        fprintf(stderr, "custops run: writing %s failed\n", file);
    return bad;
}

static int write_customers(run_state *st, const text_cols *skus)
{
    FILE *csv = open_out(st, "customers.csv"), *jl = open_out(st, "customers.jsonl");
    if (!csv || !jl) {
        if (csv) fclose(csv);
        if (jl) fclose(jl);
        return 1;
    }
    const custops_frame *f = st->features;
    const int64_t *orders = run_i64(f, "orders"), *spend = run_i64(f, "spend"), *freq = run_i64(f, "frequency"),
                  *dsl = run_i64(f, "days_since_last_order"), *r = run_i64(f, "rfm_r"), *fq = run_i64(f, "rfm_f"),
                  *m = run_i64(f, "rfm_m");
    const double *rec = run_f64(f, "recency"), *T = run_f64(f, "T"), *mon = run_f64(f, "monetary");
    if (!orders || !spend || !freq || !dsl || !r || !fq || !m || !rec || !T || !mon) {
        fclose(csv);
        fclose(jl);
        return 1;
    }
    fputs("customer_id,orders,spend,frequency,recency,T,monetary,days_since_last_order,rfm_r,rfm_f,rfm_m,"
          "rfm_segment,lifecycle,p_alive,expected_purchases,clv,audiences,coupon,message,reminder_sku,"
          "reminder_date\n",
          csv);
    double scale = pow(10.0, st->exponent);
    for (size_t i = 0; i < st->n; i++) {
        char sp[48], aud[1024], rdate[16];
        const char *coupon, *message;
        money(st, spend[i], sp, sizeof sp);
        decisions_of(st, i, aud, sizeof aud, &coupon, &message);
        const char *rsku = st->reminder_sku[i] >= 0 && (size_t)st->reminder_sku[i] < skus->n
                               ? skus->names[st->reminder_sku[i]] : "";
        date_of(st->reminder_day[i], rdate, sizeof rdate);
        const char *id = str_at(f, "customer_id", i), *seg = str_at(f, "rfm_segment", i),
                   *life = str_at(f, "lifecycle", i);
        csv_field(csv, id);
        fprintf(csv, ",%lld,%s,%lld,%.6g,%.6g,%.2f,%lld,%lld,%lld,%lld,", (long long)orders[i], sp,
                (long long)freq[i], rec[i], T[i], mon[i] / scale, (long long)dsl[i], (long long)r[i],
                (long long)fq[i], (long long)m[i]);
        csv_field(csv, seg);
        fputc(',', csv);
        csv_field(csv, life);
        fprintf(csv, ",%.6f,%.6f,%.2f,", st->p_alive[i], st->expected[i], st->clv[i]);
        csv_field(csv, aud);
        fputc(',', csv);
        csv_field(csv, coupon);
        fputc(',', csv);
        csv_field(csv, message);
        fputc(',', csv);
        csv_field(csv, rsku);
        fprintf(csv, ",%s\n", rdate);

        fputs("{\"customer_id\":", jl);
        json_str(jl, id);
        fprintf(jl, ",\"orders\":%lld,\"spend\":\"%s\",\"frequency\":%lld,\"recency\":%.6g,\"T\":%.6g,"
                    "\"monetary\":%.2f,\"days_since_last_order\":%lld,\"rfm_r\":%lld,\"rfm_f\":%lld,\"rfm_m\":%lld,"
                    "\"rfm_segment\":",
                (long long)orders[i], sp, (long long)freq[i], rec[i], T[i], mon[i] / scale, (long long)dsl[i],
                (long long)r[i], (long long)fq[i], (long long)m[i]);
        json_str(jl, seg);
        fputs(",\"lifecycle\":", jl);
        json_str(jl, life);
        fprintf(jl, ",\"p_alive\":%.6f,\"expected_purchases\":%.6f,\"clv\":%.2f,\"audiences\":[", st->p_alive[i],
                st->expected[i], st->clv[i]);
        int first = 1;
        for (size_t a = 0; a < st->naud; a++)
            if (custops_bitset_test(st->aud[a].members, i)) {
                fputs(first ? "" : ",", jl);
                json_str(jl, st->aud[a].name);
                first = 0;
            }
        fputs("],\"coupon\":", jl);
        json_str(jl, coupon);
        fputs(",\"message\":", jl);
        json_str(jl, message);
        fputs(",\"reminder_sku\":", jl);
        json_str(jl, rsku);
        fputs(",\"reminder_date\":", jl);
        json_str(jl, rdate);
        fputs("}\n", jl);
    }
    int bad = close_out(csv, "customers.csv");
    bad |= close_out(jl, "customers.jsonl");
    return bad;
}

static int write_lists(run_state *st, const text_cols *skus)
{
    FILE *a = open_out(st, "audiences.csv");
    if (!a)
        return 1;
    fputs("audience,definition,customers,share,mean_clv,total_clv,coupon,message\n", a);
    for (size_t k = 0; k < st->naud; k++) {
        const run_audience *x = &st->aud[k];
        double total = 0;
        for (size_t i = 0; i < st->n; i++)
            if (custops_bitset_test(x->members, i))
                total += st->clv[i];
        csv_field(a, x->name);
        fputc(',', a);
        csv_field(a, x->define);
        fprintf(a, ",%zu,%.4f,%.2f,%.2f,", x->count, st->n ? (double)x->count / (double)st->n : 0,
                x->count ? total / (double)x->count : 0, total);
        csv_field(a, x->coupon);
        fputc(',', a);
        csv_field(a, x->message);
        fputc('\n', a);
    }
    if (close_out(a, "audiences.csv"))
        return 1;
    FILE *r = open_out(st, "reminders.csv");
    if (!r)
        return 1;
    fputs("customer_id,sku,expected_date,days_until\n", r);
    const int64_t *cust = run_i64(st->reminders, "customer"), *sku = run_i64(st->reminders, "sku"),
                  *day = run_i64(st->reminders, "expected_day"), *until = run_i64(st->reminders, "days_until");
    for (size_t k = 0, m = custops_frame_nrows(st->reminders); k < m; k++) {
        char d[16];
        date_of(day[k], d, sizeof d);
        csv_field(r, str_at(st->features, "customer_id", (size_t)cust[k]));
        fputc(',', r);
        csv_field(r, sku[k] >= 0 && (size_t)sku[k] < skus->n ? skus->names[sku[k]] : "");
        fprintf(r, ",%s,%lld\n", d, (long long)until[k]);
    }
    return close_out(r, "reminders.csv");
}

/* ---- the report ---- */

static void report_overview(run_state *st, report *rep)
{
    const int64_t *spend = run_i64(st->features, "spend"), *freq = run_i64(st->features, "frequency"),
                  *orders = run_i64(st->features, "orders");
    int64_t gmv = 0, buyers = 0, repeat = 0;
    double clv = 0;
    for (size_t i = 0; i < st->n; i++) {
        gmv += spend[i];
        buyers += orders[i] > 0;
        repeat += freq[i] > 0;
        clv += st->clv[i];
    }
    char v[7][64], g[48], asof[40];
    money(st, gmv, g, sizeof g);
    custops_time_format(st->as_of, st->zone, asof, sizeof asof);
    asof[10] = '\0';
    snprintf(v[0], 64, "%zu", st->n);
    snprintf(v[1], 64, "%lld", (long long)st->norders);
    snprintf(v[2], 64, "%s %s", g, st->currency);
    snprintf(v[3], 64, "%.1f%%", buyers ? 100.0 * (double)repeat / (double)buyers : 0);
    snprintf(v[4], 64, "%.2f", buyers ? clv / (double)buyers : 0);
    snprintf(v[5], 64, "%.0f", clv);
    snprintf(v[6], 64, "%s", asof);
    const char *labels[7] = {"Customers", "Orders", "Net revenue", "Repeat buyers", "Mean CLV per buyer",
                             "CLV of the base", "As of"};
    const char *vals[7] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    report_section(rep, "Overview", NULL);
    report_tiles(rep, labels, vals, 7);
    char para[512];
    snprintf(para, sizeof para,
             "CLV is the discounted value of the next %lld months (monthly rate %.2f%%, margin %.0f%%) from a "
             "BG/NBD purchase model and a Gamma-Gamma spend model fitted to %zu customers' history; money in %s.",
             (long long)st->clv_months, 100 * st->discount_rate, 100 * st->margin, st->n, st->currency);
    report_paragraph(rep, para);
}

static void report_segments(run_state *st, report *rep)
{
    size_t nrules;
    const custops_rfm_rule *rules = custops_rfm_default_rules(&nrules);
    enum { MAXSEG = 32 };
    const char *names[MAXSEG];
    double count[MAXSEG] = {0}, clv[MAXSEG] = {0}, alive[MAXSEG] = {0};
    size_t ns = 0;
    for (size_t k = 0; k < nrules && ns < MAXSEG - 2; k++)
        names[ns++] = rules[k].name;
    names[ns++] = "prospect";
    names[ns++] = "other";
    for (size_t i = 0; i < st->n; i++) {
        const char *s = str_at(st->features, "rfm_segment", i);
        size_t k = 0;
        while (k < ns && strcmp(names[k], s))
            k++;
        if (k == ns)
            k = ns - 1;
        count[k]++;
        clv[k] += st->clv[i];
        alive[k] += st->p_alive[i];
    }
    report_section(rep, "Who is who", "RFM segments (scores 1-5 on recency, frequency and spend) and lifecycle classes.");
    report_bar_chart(rep, "segment-sizes", "Customers per RFM segment", names, count, ns, "customers");
    const char *hdr[5] = {"segment", "customers", "share", "mean CLV", "mean P(alive)"};
    char (*cells)[32] = calloc(ns * 5, 32);
    const char **cp = calloc(ns * 5, sizeof *cp);
    size_t rows = 0;
    for (size_t k = 0; cells && cp && k < ns; k++) {
        if (count[k] == 0)
            continue;
        snprintf(cells[rows * 5 + 0], 32, "%s", names[k]);
        snprintf(cells[rows * 5 + 1], 32, "%.0f", count[k]);
        snprintf(cells[rows * 5 + 2], 32, "%.1f%%", 100 * count[k] / (double)st->n);
        snprintf(cells[rows * 5 + 3], 32, "%.2f", clv[k] / count[k]);
        snprintf(cells[rows * 5 + 4], 32, "%.3f", alive[k] / count[k]);
        for (int c = 0; c < 5; c++)
            cp[rows * 5 + c] = cells[rows * 5 + c];
        rows++;
    }
    if (cells && cp)
        report_table(rep, "Segment value", hdr, 5, cp, rows);
    free(cells);
    free(cp);

    const char *lnames[6];
    double lcount[6] = {0};
    for (int c = 0; c < 6; c++)
        lnames[c] = custops_lifecycle_name(c);
    const int64_t *code = run_i64(st->lifecycle, "lifecycle_code");
    for (size_t i = 0; code && i < st->n; i++)
        if (code[i] >= 0 && code[i] < 6)
            lcount[code[i]]++;
    report_bar_chart(rep, "lifecycle", "Customers per lifecycle class", lnames, lcount, 6, "customers");
}

static void report_value(run_state *st, report *rep)
{
    report_section(rep, "What each customer is worth", NULL);
    static const double EDGES[] = {0, 50, 100, 200, 500, 1000, 2000, 5000};
    enum { NB = sizeof EDGES / sizeof EDGES[0] };
    const char *labels[NB + 1];
    char lab[NB + 1][32];
    double count[NB + 1] = {0};
    for (size_t b = 0; b <= NB; b++) {
        if (b == 0)
            snprintf(lab[b], 32, "0");
        else if (b < NB)
            snprintf(lab[b], 32, "%g-%g", EDGES[b - 1], EDGES[b]);
        else
            snprintf(lab[b], 32, "over %g", EDGES[NB - 1]);
        labels[b] = lab[b];
    }
    for (size_t i = 0; i < st->n; i++) {
        double v = st->clv[i];
        size_t b = 0;
        if (v > 0) {
            b = 1;
            while (b < NB && v > EDGES[b])
                b++;
        }
        count[b]++;
    }
    report_bar_chart(rep, "clv-distribution", "Customers by CLV", labels, count, NB + 1, "customers");

    /* P(alive) over frequency and recency at the longest observed T */
    const double *T = run_f64(st->features, "T");
    double tmax = 0;
    for (size_t i = 0; T && i < st->n; i++)
        if (T[i] > tmax)
            tmax = T[i];
    enum { MX = 15, NR = 11 };
    double *m = malloc((MX + 1) * NR * sizeof *m);
    if (m && tmax > 0 && custops_clv_alive_matrix(st->bgnbd, MX, tmax, NR, m) == 0) {
        char rl[MX + 1][16], cl[NR][24];
        const char *rows[MX + 1], *cols[NR];
        for (int x = 0; x <= MX; x++) {
            snprintf(rl[x], 16, "x = %d", x);
            rows[x] = rl[x];
        }
        for (int j = 0; j < NR; j++) {
            snprintf(cl[j], 24, "%.0fw", j * tmax / (NR - 1));
            cols[j] = cl[j];
        }
        report_heatmap(rep, "alive-matrix", "Probability alive by repeat purchases (rows) and recency in weeks (columns)",
                       rows, MX + 1, cols, NR, m, 0, 1, "%.0f", 100);
    }
    free(m);

    if (st->holdout_ok) {
        double x[RUN_HOLDOUT_BINS], y[2 * RUN_HOLDOUT_BINS];
        for (int k = 0; k < RUN_HOLDOUT_BINS; k++) {
            x[k] = k;
            y[k] = st->hold_count[k] > 0 ? st->hold_act[k] : NAN;
            y[RUN_HOLDOUT_BINS + k] = st->hold_count[k] > 0 ? st->hold_pred[k] : NAN;
        }
        const char *series[2] = {"actual", "model"};
        char title[160];
        snprintf(title, sizeof title, "Holdout check: purchases in the last %lld weeks by purchases before them",
                 (long long)st->holdout_weeks);
        report_line_chart(rep, "calibration-holdout", title, x, RUN_HOLDOUT_BINS, series, y, 2,
                          "repeat purchases in calibration (7 = 7 or more)", "mean purchases in holdout");
        char para[256];
        snprintf(para, sizeof para, "Over the holdout period the model expected %.0f repeat purchases; there were %.0f (%+.1f%%).",
                 st->hold_pred_total, st->hold_act_total,
                 st->hold_act_total > 0 ? 100 * (st->hold_pred_total - st->hold_act_total) / st->hold_act_total : 0);
        report_paragraph(rep, para);
    } else {
        report_paragraph(rep, st->holdout_note);
    }
}

static void report_cohorts(run_state *st, report *rep)
{
    const int64_t *cohort = run_i64(st->cohorts, "cohort"), *offset = run_i64(st->cohorts, "offset");
    const double *ret = run_f64(st->cohorts, "retention");
    size_t m = custops_frame_nrows(st->cohorts);
    if (!cohort || !offset || !ret || m == 0)
        return;
    enum { MAXC = 36, MAXO = 24 };
    int64_t keys[MAXC];
    size_t nc = 0;
    int64_t maxo = 0;
    for (size_t k = 0; k < m; k++) {
        if (nc == 0 || keys[nc - 1] != cohort[k]) {
            if (nc == MAXC)
                break;
            keys[nc++] = cohort[k];
        }
        if (offset[k] > maxo)
            maxo = offset[k];
    }
    size_t no = (size_t)(maxo + 1 < MAXO ? maxo + 1 : MAXO);
    double *v = malloc(nc * no * sizeof *v);
    if (!v)
        return;
    for (size_t i = 0; i < nc * no; i++)
        v[i] = NAN;
    size_t ci = 0;
    for (size_t k = 0; k < m; k++) {
        while (ci < nc && keys[ci] != cohort[k])
            ci++;
        if (ci == nc)
            break;
        if ((size_t)offset[k] < no)
            v[ci * no + (size_t)offset[k]] = ret[k];
    }
    char rl[MAXC][48], cl[MAXO][24];
    const char *rows[MAXC], *cols[MAXO];
    for (size_t i = 0; i < nc; i++) {
        snprintf(rl[i], sizeof rl[i], "%04lld-%02lld", (long long)(keys[i] / 100), (long long)(keys[i] % 100));
        rows[i] = rl[i];
    }
    for (size_t j = 0; j < no; j++) {
        snprintf(cl[j], sizeof cl[j], "M%zu", j);
        cols[j] = cl[j];
    }
    report_section(rep, "Cohorts", "Share of each first-order month's customers who ordered again, month by month.");
    report_heatmap(rep, "cohort-retention", "Cohort retention", rows, nc, cols, no, v, 0, 1, "%.0f%%", 100);
    free(v);
}

static void report_cycles(run_state *st, report *rep, const text_cols *skus)
{
    const int64_t *sku = run_i64(st->cycles, "sku"), *src = run_i64(st->cycles, "source"),
                  *buyers = run_i64(st->cycles, "repeat_buyers");
    const double *med = run_f64(st->cycles, "median_days"), *iqr = run_f64(st->cycles, "iqr_days");
    size_t m = custops_frame_nrows(st->cycles);
    enum { TOP = 15 };
    size_t pick[TOP], np = 0;
    /* the SKUs with the most repeat buyers and a cycle of their own */
    for (size_t k = 0; sku && k < m; k++) {
        if (src[k] != CUSTOPS_REPURCHASE_SKU || med[k] < 0)
            continue;
        size_t pos = np < TOP ? np++ : TOP;
        while (pos > 0 && buyers[pick[pos - 1]] < buyers[k]) {
            if (pos < TOP)
                pick[pos] = pick[pos - 1];
            pos--;
        }
        if (pos < TOP)
            pick[pos] = k;
    }
    report_section(rep, "Repurchase cycles", "Median days between purchases of the same product (Kaplan-Meier, open gaps censored).");
    if (np == 0) {
        report_paragraph(rep, "No product has enough repeat purchases for a cycle of its own.");
        return;
    }
    const char *labels[TOP];
    double vals[TOP];
    char cells[TOP][4][32];
    const char *cp[TOP * 4];
    for (size_t i = 0; i < np; i++) {
        size_t k = pick[i];
        labels[i] = (size_t)sku[k] < skus->n ? skus->names[sku[k]] : "?";
        vals[i] = med[k];
        snprintf(cells[i][0], 32, "%s", labels[i]);
        snprintf(cells[i][1], 32, "%.0f", med[k]);
        snprintf(cells[i][2], 32, "%.0f", iqr[k]);
        snprintf(cells[i][3], 32, "%lld", (long long)buyers[k]);
        for (int c = 0; c < 4; c++)
            cp[i * 4 + c] = cells[i][c];
    }
    report_bar_chart(rep, "repurchase-cycles", "Median repurchase cycle of the most re-bought products", labels, vals,
                     np, "days");
    const char *hdr[4] = {"product", "median days", "IQR days", "repeat buyers"};
    report_table(rep, "Repurchase cycles", hdr, 4, cp, np);
    char para[128];
    snprintf(para, sizeof para, "%zu reminders are due on the run's day (see reminders.csv).",
             custops_frame_nrows(st->reminders));
    report_paragraph(rep, para);
}

static void report_audiences(run_state *st, report *rep)
{
    report_section(rep, "What each audience receives", NULL);
    const char *labels[RUN_MAX_AUDIENCES];
    double sizes[RUN_MAX_AUDIENCES];
    char (*cells)[256] = calloc(st->naud * 5, 256);
    const char **cp = calloc(st->naud * 5 + 1, sizeof *cp);
    for (size_t k = 0; k < st->naud; k++) {
        labels[k] = st->aud[k].name;
        sizes[k] = (double)st->aud[k].count;
    }
    report_bar_chart(rep, "audience-sizes", "Customers per audience", labels, sizes, st->naud, "customers");
    if (!cells || !cp) {
        free(cells);
        free(cp);
        return;
    }
    for (size_t k = 0; k < st->naud; k++) {
        const run_audience *a = &st->aud[k];
        snprintf(cells[k * 5 + 0], 256, "%s", a->name);
        snprintf(cells[k * 5 + 1], 256, "%s", a->define);
        snprintf(cells[k * 5 + 2], 256, "%zu", a->count);
        snprintf(cells[k * 5 + 3], 256, "%s", a->coupon[0] ? a->coupon : "-");
        snprintf(cells[k * 5 + 4], 256, "%s", a->message[0] ? a->message : "-");
        for (int c = 0; c < 5; c++)
            cp[k * 5 + c] = cells[k * 5 + c];
    }
    const char *hdr[5] = {"audience", "definition", "customers", "coupon", "message"};
    report_table(rep, "Audiences", hdr, 5, cp, st->naud);
    free(cells);
    free(cp);
}

static int write_report(run_state *st, const text_cols *skus)
{
    char sub[160], asof[40];
    custops_time_format(st->as_of, st->zone, asof, sizeof asof);
    snprintf(sub, sizeof sub, "%zu customers, %lld orders, as of %s (%s)", st->n, (long long)st->norders, asof,
             st->zone_name);
    report *rep = report_new("Customer operations report", sub);
    if (!rep) {
        fprintf(stderr, "custops run: out of memory\n");
        return 1;
    }
    report_overview(st, rep);
    report_segments(st, rep);
    report_value(st, rep);
    report_cohorts(st, rep);
    report_cycles(st, rep, skus);
    report_audiences(st, rep);
    char path[4200];
    snprintf(path, sizeof path, "%s/report.html", st->staging);
    int rc = report_write(rep, path);
    report_free(rep);
    if (rc)
        fprintf(stderr, "custops run: cannot write %s\n", path);
    return rc ? 1 : 0;
}

void run_summary(const run_state *st)
{
    if (st->quiet)
        return;
    printf("custops run: %zu customers, %lld orders, %lld order lines as of the end of the last order's day\n", st->n,
           (long long)st->norders, (long long)st->nlines);
    printf("  BG/NBD  r=%.4g alpha=%.4g a=%.4g b=%.4g   Gamma-Gamma p=%.4g q=%.4g gamma=%.4g\n",
           custops_clv_param(st->bgnbd, 0), custops_clv_param(st->bgnbd, 1), custops_clv_param(st->bgnbd, 2),
           custops_clv_param(st->bgnbd, 3), custops_clv_param(st->gg, 0), custops_clv_param(st->gg, 1),
           custops_clv_param(st->gg, 2));
    if (st->holdout_ok)
        printf("  holdout (%lld weeks): model %.0f repeat purchases, actual %.0f\n", (long long)st->holdout_weeks,
               st->hold_pred_total, st->hold_act_total);
    else
        printf("  %s\n", st->holdout_note);
    for (size_t k = 0; k < st->naud; k++)
        printf("  audience %-16s %7zu customers  coupon %s  message %s\n", st->aud[k].name, st->aud[k].count,
               st->aud[k].coupon[0] ? st->aud[k].coupon : "-", st->aud[k].message[0] ? st->aud[k].message : "-");
    printf("  reminders due: %zu\n", custops_frame_nrows(st->reminders));
    printf("  wrote %s/: customers.csv customers.jsonl audiences.csv reminders.csv report.html\n", st->out_dir);
}

int run_output(run_state *st)
{
    run_stage(st, 4, "writing the outputs");
    text_cols skus;
    if (dict_open(st, "sku", &skus))
        return 1;
    int rc = write_customers(st, &skus) || write_lists(st, &skus) || write_report(st, &skus);
    dict_close(&skus);
    if (!st->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "\r\033[K");
    return rc;
}
