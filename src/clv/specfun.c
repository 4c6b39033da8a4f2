/* Special functions for the CLV models: log-gamma and digamma (thread-safe,
 * no signgam), an adaptive Gauss-Kronrod integrator, the beta-geometric
 * expected-purchases integral and the Pareto/NBD hypergeometric term.
 *
 * Why own versions: lgamma() writes the global signgam (a data race when
 * models predict on several threads) and the Pareto/NBD likelihood needs
 * 2F1(a, b; a + 1; z) with its parameter derivatives in regions where the
 * naive series overflows; we evaluate it after an Euler transformation that
 * makes every series term positive and at most 1, and fall back to
 * quadrature of the defining integral when z is close to 1. */
#include "clv_internal.h"

#include <float.h>
#include <math.h>

/* Lanczos approximation (g = 7, 9 terms), relative error about 1e-15. */
static const double lanczos_c[9] = {0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
                                    771.32342877765313,   -176.61502916214059,   12.507343278686905,
                                    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};

double custops__lgamma(double x)
{
    if (x < 0.5) /* reflection; x > 0 here, so sin(pi x) > 0 */
        return log(M_PI / sin(M_PI * x)) - custops__lgamma(1.0 - x);
    if (x > 1e6) /* Stirling with two correction terms */
        return (x - 0.5) * log(x) - x + 0.91893853320467274 + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x * x);
    x -= 1.0;
    double a = lanczos_c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++)
        a += lanczos_c[i] / (x + i);
    return 0.91893853320467274 + (x + 0.5) * log(t) - t + log(a);
}

double custops__digamma(double x)
{
    double r = 0.0;
    if (x <= 0.0)
        return -INFINITY;
    while (x < 6.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

double custops__lbeta(double a, double b)
{
    return custops__lgamma(a) + custops__lgamma(b) - custops__lgamma(a + b);
}

double custops__logaddexp(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* ---- adaptive Gauss-Kronrod 7-15 ---- */
static const double gk_x[8] = {0.991455371120812639, 0.949107912342758525, 0.864864423359769073,
                               0.741531185599394440, 0.586087235467691130, 0.405845151377397167,
                               0.207784955007898468, 0.000000000000000000};
static const double gk_wk[8] = {0.022935322010529225, 0.063092092629978553, 0.104790010322250184,
                                0.140653259715525919, 0.169004726639267903, 0.190350578064785410,
                                0.204432940075298892, 0.209482141084727828};
static const double gk_wg[4] = {0.129484966168869693, 0.279705391489276668, 0.381830050505118945,
                                0.417959183673469388};

#define GK_NF 8
#define GK_MAXSEG 400

typedef struct gk_seg {
    double a, b, err;
    double val[GK_NF];
} gk_seg;

static void gk_rule(void (*f)(double, void *, double *), void *ctx, int nf, double a, double b, double *val,
                    double *err)
{
    double c = 0.5 * (a + b), h = 0.5 * (b - a);
    double fk[GK_NF] = {0}, fg[GK_NF] = {0}, y1[GK_NF], y2[GK_NF];
    f(c, ctx, y1);
    for (int k = 0; k < nf; k++) {
        fk[k] = gk_wk[7] * y1[k];
        fg[k] = gk_wg[3] * y1[k];
    }
    for (int j = 0; j < 7; j++) {
        f(c - h * gk_x[j], ctx, y1);
        f(c + h * gk_x[j], ctx, y2);
        for (int k = 0; k < nf; k++) {
            fk[k] += gk_wk[j] * (y1[k] + y2[k]);
            if (j & 1)
                fg[k] += gk_wg[j / 2] * (y1[k] + y2[k]);
        }
    }
    for (int k = 0; k < nf; k++)
        val[k] = fk[k] * h;
    *err = fabs((fk[0] - fg[0]) * h);
}

int custops__integrate(void (*f)(double, void *, double *), void *ctx, int nf, double a, double b, double rtol,
                       double *result)
{
    gk_seg seg[GK_MAXSEG];
    int nseg = 1;
    seg[0].a = a;
    seg[0].b = b;
    gk_rule(f, ctx, nf, a, b, seg[0].val, &seg[0].err);
    for (;;) {
        double tot = 0, err = 0;
        int worst = 0;
        for (int i = 0; i < nseg; i++) {
            tot += seg[i].val[0];
            err += seg[i].err;
            if (seg[i].err > seg[worst].err)
                worst = i;
        }
        if (err <= rtol * fabs(tot) || err < 1e-300 || nseg + 1 >= GK_MAXSEG) {
            for (int k = 0; k < nf; k++) {
                result[k] = 0;
                for (int i = 0; i < nseg; i++)
                    result[k] += seg[i].val[k];
            }
            return nseg + 1 >= GK_MAXSEG ? -1 : 0;
        }
        gk_seg *w = &seg[worst];
        double m = 0.5 * (w->a + w->b);
        if (!(m > w->a && m < w->b)) { /* cannot split further: accept */
            w->err = 0;
            continue;
        }
        seg[nseg].a = m;
        seg[nseg].b = w->b;
        w->b = m;
        gk_rule(f, ctx, nf, w->a, w->b, w->val, &w->err);
        gk_rule(f, ctx, nf, seg[nseg].a, seg[nseg].b, seg[nseg].val, &seg[nseg].err);
        nseg++;
    }
}

/* ---- beta-geometric expected purchases ---- */
typedef struct bg_ctx {
    double a, b, m, k;
    int upper; /* 0: p = u^(1/a) on [0, 1/2]; 1: 1 - p = v^(1/b) on [1/2, 1] */
} bg_ctx;

static double bg_f(double p, double m, double k)
{
    if (p * k < 1e-8)
        return m * k * (1.0 - 0.5 * (m + 1.0) * p * k);
    return -expm1(-m * log1p(p * k)) / p;
}

static void bg_integrand(double u, void *vctx, double *out)
{
    const bg_ctx *c = vctx;
    if (!c->upper) {
        double p = u > 0 ? pow(u, 1.0 / c->a) : 0.0;
        out[0] = exp((c->b - 1.0) * log1p(-p)) * bg_f(p, c->m, c->k) / c->a;
    } else {
        double q = u > 0 ? pow(u, 1.0 / c->b) : 0.0;
        double p = 1.0 - q;
        out[0] = exp((c->a - 1.0) * log(p)) * bg_f(p, c->m, c->k) / c->b;
    }
}

double custops__clv_bg_expect(double a, double b, double m, double k)
{
    if (k <= 0)
        return 0.0;
    if (k <= 0.5) {
        /* Pfaff-transformed 2F1: C * sum_{n>=1} (-1)^(n+1) (m)_n (a)_{n-1} k^n / ((C)_n n!),
         * C = a + b - 1; alternating with decreasing terms, no 1/(a-1). */
        double C = a + b - 1.0;
        double term = m * k / C; /* n = 1 */
        double sum = term;
        for (int n = 1; n < 400; n++) {
            term *= -(m + n) * (a + n - 1.0) / ((C + n) * (n + 1.0)) * k;
            sum += term;
            if (fabs(term) < 1e-17 * fabs(sum))
                break;
        }
        if (C > 0)
            return C * sum;
    }
    /* E over Beta(a, b): split at 1/2 and remove the endpoint powers by substitution */
    double r1, r2;
    bg_ctx c = {a, b, m, k, 0};
    custops__integrate(bg_integrand, &c, 1, 0.0, pow(0.5, a), 1e-12, &r1);
    c.upper = 1;
    custops__integrate(bg_integrand, &c, 1, 0.0, pow(0.5, b), 1e-12, &r2);
    return (r1 + r2) * exp(-custops__lbeta(a, b));
}

/* ---- Pareto/NBD ---- */
/* log G(y) = log int_y^inf (L+u)^-P (O+u)^-Q du for L >= O, and its
 * derivatives in (P, L, Q, O). After Euler's transformation
 * G = (L+y)^-P (O+y)^(1-Q) H / (P+Q-1), H = sum c_n z^n, c_n = (P)_n/(P+Q)_n,
 * z = (L-O)/(L+y) in [0, 1): every term is positive and below z^n. */
static double pareto_logG(double P, double L, double Q, double O, double y, double d[4])
{
    double Ly = L + y, Oy = O + y;
    double z = (L - O) / Ly;
    double H = 1.0, HP = 0.0, HQ = 0.0, Hz = 0.0;
    double c = 1.0, zn = 1.0, A = 0.0, B = 0.0;
    for (int n = 0; n < 5000 && z > 0; n++) {
        /* move from term n to n + 1 */
        A += 1.0 / (P + n) - 1.0 / (P + Q + n);
        B -= 1.0 / (P + Q + n);
        double cz = c * zn; /* c_n z^n */
        Hz += (n + 1.0) * cz * (P + n) / (P + Q + n);
        c *= (P + n) / (P + Q + n);
        zn *= z;
        double t = c * zn;
        H += t;
        HP += t * A;
        HQ += t * B;
        if (t < 1e-17 * H && n > 2)
            break;
    }
    double inv = 1.0 / (P + Q - 1.0);
    d[0] = -log(Ly) + HP / H - inv;
    d[2] = -log(Oy) + HQ / H - inv;
    d[1] = -P / Ly + (Hz / H) * Oy / (Ly * Ly);
    d[3] = (1.0 - Q) / Oy - (Hz / H) / Ly;
    return -P * log(Ly) + (1.0 - Q) * log(Oy) + log(H) + log(inv);
}

typedef struct pq_ctx {
    double p, alpha, q, beta, lg0;
} pq_ctx;

static void pareto_integrand(double u, void *vctx, double *out)
{
    const pq_ctx *c = vctx;
    double la = log(c->alpha + u), lb = log(c->beta + u);
    double g = exp(-c->p * la - c->q * lb - c->lg0);
    out[0] = g;
    out[1] = -la * g;
    out[2] = -c->p / (c->alpha + u) * g;
    out[3] = -lb * g;
    out[4] = -c->q / (c->beta + u) * g;
}

double custops__clv_pareto_logD(double r, double alpha, double s, double beta, double x, double tx, double T,
                                double *dlog)
{
    if (!(T > tx)) {
        dlog[0] = dlog[1] = dlog[2] = dlog[3] = 0.0;
        return -INFINITY;
    }
    double p = r + x, q = s + 1.0;
    double L = alpha >= beta ? alpha : beta, O = alpha >= beta ? beta : alpha;
    double z0 = (L - O) / (L + tx);
    if (z0 <= 0.9) {
        double d1[4], d2[4], lg1, lg2;
        /* roles: (P, L, Q, O) = (p, alpha, q, beta) or swapped */
        if (alpha >= beta) {
            lg1 = pareto_logG(p, alpha, q, beta, tx, d1);
            lg2 = pareto_logG(p, alpha, q, beta, T, d2);
        } else {
            double e1[4], e2[4];
            lg1 = pareto_logG(q, beta, p, alpha, tx, e1);
            lg2 = pareto_logG(q, beta, p, alpha, T, e2);
            d1[0] = e1[2]; d1[1] = e1[3]; d1[2] = e1[0]; d1[3] = e1[1];
            d2[0] = e2[2]; d2[1] = e2[3]; d2[2] = e2[0]; d2[3] = e2[1];
        }
        double e = exp(lg2 - lg1); /* < 1 since G decreases */
        if (e < 0.9) {
            double one_m = 1.0 - e;
            for (int k = 0; k < 4; k++)
                dlog[k] = (d1[k] - e * d2[k]) / one_m;
            return lg1 + log1p(-e);
        }
        /* t_x close to T: the difference cancels; integrate directly below */
    }
    /* Quadrature of the defining integral, scaled by its value at t_x (the
     * integrand decreases), cut where it has fallen below e^-60. */
    pq_ctx c = {p, alpha, q, beta, 0.0};
    c.lg0 = -p * log(alpha + tx) - q * log(beta + tx);
    double lo = tx, hi = T;
    double drop = -p * log(alpha + T) - q * log(beta + T) - c.lg0;
    if (drop < -60.0) { /* bisect for the cut */
        double a = tx, b = T;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (a + b);
            double v = -p * log(alpha + mid) - q * log(beta + mid) - c.lg0;
            if (v < -60.0)
                b = mid;
            else
                a = mid;
        }
        hi = b;
    }
    double res[5];
    custops__integrate(pareto_integrand, &c, 5, lo, hi, 1e-13, res);
    if (!(res[0] > 0)) {
        dlog[0] = dlog[1] = dlog[2] = dlog[3] = 0.0;
        return -INFINITY;
    }
    /* order of the result vector: d/dp, d/dalpha, d/dq, d/dbeta */
    dlog[0] = res[1] / res[0];
    dlog[1] = res[2] / res[0];
    dlog[2] = res[3] / res[0];
    dlog[3] = res[4] / res[0];
    return c.lg0 + log(res[0]);
}

void custops__clv_rise_to(clv_rise *z, double x)
{
    if (x == z->x)
        return;
    if (x > z->x && x - z->x <= 48) {
        for (double k = z->x; k < x; k += 1.0) {
            z->lg += log(z->c + k);
            z->dg += 1.0 / (z->c + k);
        }
    } else {
        z->lg = custops__lgamma(z->c + x) - custops__lgamma(z->c);
        z->dg = custops__digamma(z->c + x) - custops__digamma(z->c);
    }
    z->x = x;
}
