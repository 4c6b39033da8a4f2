/*
 * Random numbers for the synthetic store: xoshiro256** (Blackman and
 * Vigna) seeded through splitmix64, and the distributions the models need.
 *
 * Why our own exp and log: the C library's transcendental functions may
 * differ in the last bit between versions and machines, and one bit in a
 * Gamma draw can move an order across a day boundary. These use only
 * +, -, *, /, sqrt (all correctly rounded by IEEE 754) and frexp/ldexp
 * (exact), so a seed draws the same numbers everywhere.
 */
#include "synth_internal.h"

#include <math.h>

uint64_t synth_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void synth_rng_seed(synth_rng *g, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t y = synth_splitmix64(&x) ^ (stream * 0xD1342543DE82EF95ull + 0x2545F4914F6CDD1Dull);
    for (int i = 0; i < 4; i++)
        g->s[i] = synth_splitmix64(&y);
    if ((g->s[0] | g->s[1] | g->s[2] | g->s[3]) == 0) /* the one state xoshiro cannot leave */
        g->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t synth_next(synth_rng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double synth_uniform(synth_rng *g) { return (double)(synth_next(g) >> 11) * 0x1.0p-53; }

double synth_uniform_pos(synth_rng *g) { return (double)((synth_next(g) >> 11) + 1) * 0x1.0p-53; }

uint64_t synth_below(synth_rng *g, uint64_t n)
{
    /* accept only the largest multiple of n values: no modulo bias */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = synth_next(g);
        if (x >= threshold)
            return x % n;
    }
}

int synth_chance(synth_rng *g, double prob) { return synth_uniform(g) < prob; }

/* ---- exp and log from exact operations ---- */

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^20 (fdlibm's split). */
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;

double synth_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.0)
        return 0x1.fffffffffffffp1023;
    if (x < -745.0)
        return 0.0;
    double t = x * INV_LN2;
    int k = (int)(t >= 0 ? t + 0.5 : t - 0.5);
    double r = (x - k * LN2_HI) - k * LN2_LO; /* |r| <= 0.35 */
    /* Taylor series to r^16/16! (< 1e-19 relative at |r| = 0.35), Horner form */
    double p = 1.0;
    for (int n = 16; n >= 1; n--)
        p = 1.0 + p * r / n;
    return ldexp(p, k);
}

double synth_log(double x)
{
    if (!(x > 0))
        return x == 0 ? -HUGE_VAL : NAN;
    if (x == HUGE_VAL)
        return x;
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2;
        e--;
    }
    /* log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: 12 terms of the odd series */
    double s = (m - 1) / (m + 1), s2 = s * s;
    double poly = 0;
    for (int k = 12; k >= 1; k--)
        poly = s2 * (1.0 / (2 * k + 1) + poly);
    return e * LN2_HI + (e * LN2_LO + (2 * s + 2 * s * poly));
}

/* ---- distributions ---- */

double synth_exponential(synth_rng *g, double rate) { return -synth_log(synth_uniform_pos(g)) / rate; }

double synth_normal(synth_rng *g)
{
    /* Marsaglia's polar method: no trigonometry, one value per draw */
    for (;;) {
        double u = 2 * synth_uniform(g) - 1, v = 2 * synth_uniform(g) - 1;
        double s = u * u + v * v;
        if (s > 0 && s < 1)
            return u * sqrt(-2 * synth_log(s) / s);
    }
}

double synth_gamma(synth_rng *g, double shape, double rate)
{
    if (shape < 1) {
        /* Gamma(a) = Gamma(a + 1) * U^(1/a) */
        double x = synth_gamma(g, shape + 1, 1.0);
        return x * synth_exp(synth_log(synth_uniform_pos(g)) / shape) / rate;
    }
    /* Marsaglia and Tsang (2000) */
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x, v;
        do {
            x = synth_normal(g);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = synth_uniform_pos(g);
        if (u < 1 - 0.0331 * (x * x) * (x * x))
            return d * v / rate;
        if (synth_log(u) < 0.5 * x * x + d * (1 - v + synth_log(v)))
            return d * v / rate;
    }
}

double synth_beta(synth_rng *g, double a, double b)
{
    double x = synth_gamma(g, a, 1.0), y = synth_gamma(g, b, 1.0);
    if (x + y <= 0) /* both underflowed: tiny shapes; fall back to the mean */
        return a / (a + b);
    return x / (x + y);
}

int synth_poisson(synth_rng *g, double mean)
{
    /* Knuth's product of uniforms; fine for the small means used here */
    double limit = synth_exp(-mean), prod = synth_uniform_pos(g);
    int k = 0;
    while (prod > limit && k < 1000) {
        prod *= synth_uniform_pos(g);
        k++;
    }
    return k;
}

size_t synth_pick_cum(synth_rng *g, const uint64_t *cum, size_t n)
{
    uint64_t r = synth_below(g, cum[n - 1]);
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
