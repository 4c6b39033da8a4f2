/* Maximum likelihood for the CLV models: BFGS on log-parameters with
 * analytic gradients and a backtracking line search, several starting
 * points, Nelder-Mead when BFGS cannot finish, and standard errors from the
 * observed information (a central-difference Hessian of the analytic
 * gradient). Log-parameters keep every parameter positive without bounds
 * and make the problem better scaled. */
#include "clv_internal.h"

#include <float.h>
#include <math.h>

typedef struct objective {
    const clv_spec *s;
    const clv_rows *d;
    double penalty;
    unsigned int evals;
} objective;

/* Mean negative log-likelihood plus penalty at log-parameters u. */
static double obj_eval(objective *o, const double *u, double *g)
{
    double th[CLV_MAXP], gl[CLV_MAXP];
    int np = o->s->np;
    o->evals++;
    for (int k = 0; k < np; k++) {
        if (!(u[k] > -30.0 && u[k] < 30.0))
            return INFINITY;
        th[k] = exp(u[k]);
    }
    double ll = o->s->loglik(th, o->d, g ? gl : NULL);
    if (!isfinite(ll))
        return INFINITY;
    double f = -ll / o->d->total;
    for (int k = 0; k < np; k++) {
        f += o->penalty * th[k] * th[k];
        if (g) {
            g[k] = -gl[k] / o->d->total + 2.0 * o->penalty * th[k] * th[k];
            if (!isfinite(g[k]))
                return INFINITY;
        }
    }
    return f;
}

static double max_abs(const double *v, int n)
{
    double m = 0;
    for (int k = 0; k < n; k++)
        if (fabs(v[k]) > m)
            m = fabs(v[k]);
    return m;
}

typedef struct run_result {
    double u[CLV_MAXP];
    double f, gnorm;
    unsigned int iters;
    int ok; /* 1 converged by gradient, 2 by no further progress */
} run_result;

static void bfgs(objective *o, const double *u0, const custops_clv_fit_options *opt, double tol, run_result *rr)
{
    int np = o->s->np;
    double u[CLV_MAXP], g[CLV_MAXP], H[CLV_MAXP][CLV_MAXP];
    memcpy(u, u0, sizeof(double) * np);
    double f = obj_eval(o, u, g);
    rr->ok = 0;
    rr->iters = 0;
    memcpy(rr->u, u, sizeof u);
    rr->f = f;
    rr->gnorm = INFINITY;
    if (!isfinite(f))
        return;
    for (int i = 0; i < np; i++)
        for (int j = 0; j < np; j++)
            H[i][j] = i == j ? 1.0 : 0.0;
    unsigned int maxit = opt->max_iter ? opt->max_iter : 500;
    int resets = 0, flat = 0;
    for (unsigned int it = 0; it < maxit; it++) {
        rr->iters = it;
        double gn = max_abs(g, np);
        if (gn < tol) {
            rr->ok = 1;
            break;
        }
        double dir[CLV_MAXP], slope = 0;
        for (int i = 0; i < np; i++) {
            dir[i] = 0;
            for (int j = 0; j < np; j++)
                dir[i] -= H[i][j] * g[j];
            slope += dir[i] * g[i];
        }
        if (!(slope < 0)) {
            for (int i = 0; i < np; i++) {
                for (int j = 0; j < np; j++)
                    H[i][j] = i == j ? 1.0 : 0.0;
                dir[i] = -g[i];
            }
            slope = 0;
            for (int i = 0; i < np; i++)
                slope += dir[i] * g[i];
        }
        /* at most 3 units of log-parameter per step: keeps exp() in range */
        double step = 1.0, dm = max_abs(dir, np);
        if (dm * step > 3.0)
            step = 3.0 / dm;
        double un[CLV_MAXP], gnw[CLV_MAXP], fn = INFINITY;
        int found = 0;
        for (int ls = 0; ls < 60; ls++) {
            for (int i = 0; i < np; i++)
                un[i] = u[i] + step * dir[i];
            fn = obj_eval(o, un, gnw);
            if (isfinite(fn) && fn <= f + 1e-4 * step * slope) {
                found = 1;
                break;
            }
            /* quadratic interpolation of the step, kept in [0.1, 0.5] of the old one */
            double next = 0.5;
            if (isfinite(fn)) {
                double den = 2.0 * (fn - f - step * slope);
                if (den > 0) {
                    double q = -slope * step * step / den;
                    next = q / step;
                }
                if (next < 0.1)
                    next = 0.1;
                if (next > 0.5)
                    next = 0.5;
            }
            step *= next;
        }
        if (!found || fn >= f) {
            if (gn < 1e-5 || (found && fabs(fn - f) <= 1e-15 * (1.0 + fabs(f)) && gn < 1e-4)) {
                rr->ok = 2;
                break;
            }
            if (resets++ > 3)
                break;
            for (int i = 0; i < np; i++)
                for (int j = 0; j < np; j++)
                    H[i][j] = i == j ? 1.0 : 0.0;
            continue;
        }
        double s[CLV_MAXP], y[CLV_MAXP], sy = 0, yy = 0, ss = 0;
        for (int i = 0; i < np; i++) {
            s[i] = un[i] - u[i];
            y[i] = gnw[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
            ss += s[i] * s[i];
        }
        if (fabs(fn - f) <= 1e-16 * (1.0 + fabs(f)))
            flat++;
        else
            flat = 0;
        memcpy(u, un, sizeof(double) * np);
        memcpy(g, gnw, sizeof(double) * np);
        f = fn;
        if (opt->progress)
            opt->progress(opt->progress_ctx, it + 1, -f * o->d->total);
        if (sy > 1e-12 * sqrt(ss * yy)) {
            if (it == 0) { /* scale the first guess of the inverse Hessian */
                for (int i = 0; i < np; i++)
                    for (int j = 0; j < np; j++)
                        H[i][j] = i == j ? sy / yy : 0.0;
            }
            double Hy[CLV_MAXP], yHy = 0;
            for (int i = 0; i < np; i++) {
                Hy[i] = 0;
                for (int j = 0; j < np; j++)
                    Hy[i] += H[i][j] * y[j];
                yHy += y[i] * Hy[i];
            }
            for (int i = 0; i < np; i++)
                for (int j = 0; j < np; j++)
                    H[i][j] += ((sy + yHy) * s[i] * s[j]) / (sy * sy) - (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
        }
        if (flat >= 3 && max_abs(g, np) < 1e-5) {
            rr->ok = 2;
            break;
        }
    }
    memcpy(rr->u, u, sizeof(double) * np);
    rr->f = f;
    rr->gnorm = max_abs(g, np);
    if (!rr->ok && rr->gnorm < tol)
        rr->ok = 1;
}

/* Nelder-Mead on the same objective: the fallback when BFGS keeps failing
 * its line search (a badly scaled or flat likelihood). */
static void nelder_mead(objective *o, const double *u0, run_result *rr)
{
    int np = o->s->np;
    double sx[CLV_MAXP + 1][CLV_MAXP], fx[CLV_MAXP + 1];
    for (int i = 0; i <= np; i++) {
        memcpy(sx[i], u0, sizeof(double) * np);
        if (i > 0)
            sx[i][i - 1] += 0.5;
        fx[i] = obj_eval(o, sx[i], NULL);
    }
    unsigned int it;
    for (it = 0; it < 5000; it++) {
        /* order: best first */
        for (int i = 1; i <= np; i++)
            for (int j = i; j > 0 && fx[j] < fx[j - 1]; j--) {
                double t = fx[j];
                fx[j] = fx[j - 1];
                fx[j - 1] = t;
                for (int k = 0; k < np; k++) {
                    t = sx[j][k];
                    sx[j][k] = sx[j - 1][k];
                    sx[j - 1][k] = t;
                }
            }
        double size = 0;
        for (int i = 1; i <= np; i++)
            for (int k = 0; k < np; k++)
                size = fmax(size, fabs(sx[i][k] - sx[0][k]));
        if (size < 1e-10 || (isfinite(fx[np]) && fx[np] - fx[0] < 1e-15 * (1 + fabs(fx[0])) && size < 1e-6))
            break;
        double c[CLV_MAXP] = {0}, xr[CLV_MAXP], xe[CLV_MAXP], xc[CLV_MAXP];
        for (int i = 0; i < np; i++)
            for (int k = 0; k < np; k++)
                c[k] += sx[i][k] / np;
        for (int k = 0; k < np; k++)
            xr[k] = c[k] + (c[k] - sx[np][k]);
        double fr = obj_eval(o, xr, NULL);
        if (fr < fx[0]) {
            for (int k = 0; k < np; k++)
                xe[k] = c[k] + 2.0 * (c[k] - sx[np][k]);
            double fe = obj_eval(o, xe, NULL);
            if (fe < fr) {
                memcpy(sx[np], xe, sizeof xe);
                fx[np] = fe;
            } else {
                memcpy(sx[np], xr, sizeof xr);
                fx[np] = fr;
            }
        } else if (fr < fx[np - 1]) {
            memcpy(sx[np], xr, sizeof xr);
            fx[np] = fr;
        } else {
            for (int k = 0; k < np; k++)
                xc[k] = c[k] + 0.5 * (sx[np][k] - c[k]);
            double fc = obj_eval(o, xc, NULL);
            if (fc < fx[np]) {
                memcpy(sx[np], xc, sizeof xc);
                fx[np] = fc;
            } else {
                for (int i = 1; i <= np; i++) {
                    for (int k = 0; k < np; k++)
                        sx[i][k] = sx[0][k] + 0.5 * (sx[i][k] - sx[0][k]);
                    fx[i] = obj_eval(o, sx[i], NULL);
                }
            }
        }
    }
    double g[CLV_MAXP];
    memcpy(rr->u, sx[0], sizeof(double) * np);
    rr->f = obj_eval(o, rr->u, g);
    rr->gnorm = isfinite(rr->f) ? max_abs(g, np) : INFINITY;
    rr->iters = it;
    rr->ok = 0;
}

/* Standard errors: Hessian of the total negative log-likelihood in u by
 * central differences of the analytic gradient, inverted by Cholesky. */
static int std_errors(objective *o, const double *u, double *se)
{
    int np = o->s->np;
    double Hm[CLV_MAXP][CLV_MAXP];
    double saved = o->penalty;
    o->penalty = 0.0;
    for (int j = 0; j < np; j++) {
        double up[CLV_MAXP], um[CLV_MAXP], gp[CLV_MAXP], gm[CLV_MAXP];
        double h = 1e-4;
        memcpy(up, u, sizeof up);
        memcpy(um, u, sizeof um);
        up[j] += h;
        um[j] -= h;
        if (!isfinite(obj_eval(o, up, gp)) || !isfinite(obj_eval(o, um, gm))) {
            o->penalty = saved;
            return 0;
        }
        for (int i = 0; i < np; i++)
            Hm[i][j] = (gp[i] - gm[i]) / (2 * h) * o->d->total;
    }
    o->penalty = saved;
    for (int i = 0; i < np; i++)
        for (int j = 0; j < i; j++)
            Hm[i][j] = Hm[j][i] = 0.5 * (Hm[i][j] + Hm[j][i]);
    /* Cholesky, then the inverse's diagonal */
    double Lc[CLV_MAXP][CLV_MAXP] = {{0}};
    for (int i = 0; i < np; i++)
        for (int j = 0; j <= i; j++) {
            double sum = Hm[i][j];
            for (int k = 0; k < j; k++)
                sum -= Lc[i][k] * Lc[j][k];
            if (i == j) {
                if (!(sum > 0))
                    return 0;
                Lc[i][i] = sqrt(sum);
            } else {
                Lc[i][j] = sum / Lc[j][j];
            }
        }
    for (int c = 0; c < np; c++) {
        /* solve H v = e_c; var_c = v_c */
        double yv[CLV_MAXP], v[CLV_MAXP];
        for (int i = 0; i < np; i++) {
            double sum = i == c ? 1.0 : 0.0;
            for (int k = 0; k < i; k++)
                sum -= Lc[i][k] * yv[k];
            yv[i] = sum / Lc[i][i];
        }
        for (int i = np - 1; i >= 0; i--) {
            double sum = yv[i];
            for (int k = i + 1; k < np; k++)
                sum -= Lc[k][i] * v[k];
            v[i] = sum / Lc[i][i];
        }
        if (!(v[c] > 0) || !isfinite(v[c]))
            return 0;
        se[c] = exp(u[c]) * sqrt(v[c]);
    }
    return 1;
}

int custops__clv_optimize(const clv_spec *s, const clv_rows *d, const custops_clv_fit_options *opt,
                          clv_opt_result *res)
{
    objective o = {s, d, opt->penalty, 0};
    double tol = opt->grad_tol > 0 ? opt->grad_tol : 1e-9;
    unsigned int nstarts = opt->starts ? opt->starts : 3;
    double st[8][CLV_MAXP];
    int ns = 0;
    if (opt->init) {
        for (int k = 0; k < s->np; k++)
            st[0][k] = log(opt->init[k]);
        ns = 1;
    }
    double cand[4][CLV_MAXP];
    int nc = s->starts(d, cand);
    for (int i = 0; i < nc && ns < 8; i++, ns++)
        for (int k = 0; k < s->np; k++)
            st[ns][k] = log(cand[i][k]);
    if ((unsigned int)ns > nstarts)
        ns = (int)nstarts;
    run_result best = {{0}, INFINITY, INFINITY, 0, 0};
    int nconv = 0;
    for (int i = 0; i < ns; i++) {
        run_result rr;
        bfgs(&o, st[i], opt, tol, &rr);
        if (rr.ok && (!best.ok || rr.f < best.f - 1e-12))
            best = rr;
        else if (!best.ok && rr.f < best.f)
            best = rr;
        if (rr.ok)
            nconv++;
        /* two starts agreeing on the optimum is enough */
        if (nconv >= 2 && best.ok && fabs(rr.f - best.f) < 1e-9 * (1 + fabs(best.f)))
            break;
    }
    const char *status = best.ok == 1 ? "converged" : "converged-f";
    if (!best.ok) {
        double u0[CLV_MAXP];
        memcpy(u0, isfinite(best.f) ? best.u : st[0], sizeof u0);
        run_result nm;
        nelder_mead(&o, u0, &nm);
        if (isfinite(nm.f) && nm.gnorm < 1e-4) {
            /* polish with BFGS from the simplex optimum */
            run_result rr;
            bfgs(&o, nm.u, opt, tol, &rr);
            best = rr.ok && rr.f <= nm.f ? rr : nm;
            status = "nelder-mead";
        } else {
            return custops__err(CUSTOPS_ENOCONVERGE,
                                "%s: the optimiser did not converge (gradient norm %g after %u iterations); "
                                "try a penalty or other starting values",
                                s->name, isfinite(best.gnorm) ? best.gnorm : nm.gnorm, best.iters);
        }
    }
    for (int k = 0; k < s->np; k++)
        res->th[k] = exp(best.u[k]);
    res->loglik = s->loglik(res->th, d, NULL);
    res->grad_norm = best.gnorm;
    res->iterations = best.iters;
    res->status = status;
    res->se_ok = std_errors(&o, best.u, res->se);
    if (!res->se_ok)
        for (int k = 0; k < s->np; k++)
            res->se[k] = 0.0;
    return CUSTOPS_OK;
}
