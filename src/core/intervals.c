/* Interval estimates shared by the statistics modules (A/B tests today;
 * written so the uplift report can move onto them too): Wilson's score
 * interval for one proportion, Newcombe's hybrid score interval for a
 * difference of proportions, and Welch's interval for a difference of
 * means from summary statistics. */
#include "internal.h"

#include <math.h>

void custops__wilson(double k, double n, double z, double *lo, double *hi)
{
    double p = k / n, z2 = z * z, den = 1 + z2 / n;
    double center = (p + z2 / (2 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
    *lo = center - half < 0 ? 0 : center - half;
    *hi = center + half > 1 ? 1 : center + half;
}

void custops__newcombe(double k1, double n1, double k2, double n2, double z, double *lo, double *hi)
{
    double p1 = k1 / n1, p2 = k2 / n2, l1, u1, l2, u2;
    custops__wilson(k1, n1, z, &l1, &u1);
    custops__wilson(k2, n2, z, &l2, &u2);
    double d = p1 - p2;
    *lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

int custops__welch(double n1, double mean1, double var1, double n2, double mean2, double var2, double conf,
                   double *t, double *df, double *p, double *lo, double *hi)
{
    double d = mean1 - mean2;
    if (!(n1 >= 2 && n2 >= 2))
        return -1;
    double v1 = var1 / n1, v2 = var2 / n2, se = sqrt(v1 + v2);
    if (!(se > 0)) {
        *t = 0;
        *df = n1 + n2 - 2;
        *p = d == 0 ? 1 : 0;
        *lo = *hi = d;
        return 0;
    }
    *df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
    *t = d / se;
    double c = custops__t_cdf(-fabs(*t), *df);
    *p = 2 * c > 1 ? 1 : 2 * c;
    double q = custops__t_quantile(0.5 + conf / 2, *df);
    *lo = d - q * se;
    *hi = d + q * se;
    return 0;
}
