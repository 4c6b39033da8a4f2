/* custops abtest: A/B test arithmetic from numbers on the command line --
 * compare two conversion rates or two revenue means, plan a sample size or
 * power, or run the always-valid sequential test over daily looks. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops abtest proportions --a CONV/USERS --b CONV/USERS [--confidence C]\n"
           "       custops abtest means --a N,MEAN,SD --b N,MEAN,SD [--confidence C]\n"
           "       custops abtest size --p-a P --p-b P [--alpha A] [--power W]\n"
           "       custops abtest size-means --delta D --sd S [--alpha A] [--power W]\n"
           "       custops abtest power --p-a P --p-b P --n USERS_PER_ARM [--alpha A]\n"
           "       custops abtest sequential --tau T LOOK...   (LOOK = convA/usersA,convB/usersB, cumulative)\n\n"
           "A is the control, B the variant; differences are B - A. Conversion\n"
           "intervals are Newcombe's hybrid score intervals, revenue intervals\n"
           "Welch's; sizes use the normal approximation; the sequential test prints\n"
           "always-valid p-values (mixture SPRT) that may be checked every day.\n"
           "Defaults: confidence 0.95, alpha 0.05, power 0.8.\n");
}

static int num(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end ? 0 : -1;
}

static int i64(const char *s, int64_t *v)
{
    char *end;
    *v = strtoll(s, &end, 10);
    return *s && !*end ? 0 : -1;
}

static int pair(const char *s, int64_t *k, int64_t *n)
{
    long long a, b;
    char tail;
    return sscanf(s, "%lld/%lld%c", &a, &b, &tail) == 2 ? (*k = a, *n = b, 0) : -1;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"a", required_argument, NULL, 'a'},
                                         {"b", required_argument, NULL, 'b'},
                                         {"confidence", required_argument, NULL, 'c'},
                                         {"p-a", required_argument, NULL, 'P'},
                                         {"p-b", required_argument, NULL, 'Q'},
                                         {"alpha", required_argument, NULL, 'A'},
                                         {"power", required_argument, NULL, 'W'},
                                         {"n", required_argument, NULL, 'n'},
                                         {"delta", required_argument, NULL, 'd'},
                                         {"sd", required_argument, NULL, 's'},
                                         {"tau", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *a = NULL, *b = NULL;
    double conf = 0.95, pa = -1, pb = -1, alpha = 0.05, power = 0.8, delta = 0, sd = -1, tau = -1;
    int64_t n = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'a': a = optarg; break;
        case 'b': b = optarg; break;
        case 'c': bad = num(optarg, &conf); break;
        case 'P': bad = num(optarg, &pa); break;
        case 'Q': bad = num(optarg, &pb); break;
        case 'A': bad = num(optarg, &alpha); break;
        case 'W': bad = num(optarg, &power); break;
        case 'n': bad = i64(optarg, &n); break;
        case 'd': bad = num(optarg, &delta); break;
        case 's': bad = num(optarg, &sd); break;
        case 't': bad = num(optarg, &tau); break;
        case 'h': help(); return 0;
        default: return cli_usage_error("abtest", "unknown option");
        }
        if (bad)
            return cli_usage_error("abtest", "'%s' is not a number", optarg);
    }
    /* getopt_long permutes: the subcommand is the first operand */
    if (optind >= argc)
        return cli_usage_error("abtest", "expected a subcommand: proportions, means, size, size-means, power or sequential");
    const char *sub = argv[optind++];
    int rc;
    if (strcmp(sub, "proportions") == 0) {
        int64_t ka, na, kb, nb;
        if (!a || !b || pair(a, &ka, &na) || pair(b, &kb, &nb))
            return cli_usage_error("abtest", "proportions needs --a CONV/USERS and --b CONV/USERS");
        double d, lo, hi, z, p;
        if ((rc = custops_abtest_proportions(&d, &lo, &hi, &z, &p, ka, na, kb, nb, conf)))
            return cli_fail("abtest", rc, "proportions");
        printf("rate_a\t%.6f\nrate_b\t%.6f\ndiff\t%.6f\nlo\t%.6f\nhi\t%.6f\nz\t%.4f\np_value\t%.6g\n",
               (double)ka / (double)na, (double)kb / (double)nb, d, lo, hi, z, p);
    } else if (strcmp(sub, "means") == 0) {
        long long na, nb;
        double ma, sa, mb, sb;
        char t1, t2;
        if (!a || !b || sscanf(a, "%lld,%lf,%lf%c", &na, &ma, &sa, &t1) != 3 ||
            sscanf(b, "%lld,%lf,%lf%c", &nb, &mb, &sb, &t2) != 3)
            return cli_usage_error("abtest", "means needs --a N,MEAN,SD and --b N,MEAN,SD");
        double d, lo, hi, t, df, p;
        if ((rc = custops_abtest_means_summary(&d, &lo, &hi, &t, &df, &p, na, ma, sa, nb, mb, sb, conf)))
            return cli_fail("abtest", rc, "means");
        printf("diff\t%.6f\nlo\t%.6f\nhi\t%.6f\nt\t%.4f\ndf\t%.3f\np_value\t%.6g\n", d, lo, hi, t, df, p);
    } else if (strcmp(sub, "size") == 0) {
        int64_t out;
        if ((rc = custops_abtest_sample_size(&out, pa, pb, alpha, power)))
            return cli_fail("abtest", rc, "size");
        printf("per_arm\t%lld\ntotal\t%lld\n", (long long)out, (long long)out * 2);
    } else if (strcmp(sub, "size-means") == 0) {
        int64_t out;
        if ((rc = custops_abtest_sample_size_means(&out, delta, sd, alpha, power)))
            return cli_fail("abtest", rc, "size-means");
        printf("per_arm\t%lld\ntotal\t%lld\n", (long long)out, (long long)out * 2);
    } else if (strcmp(sub, "power") == 0) {
        double w;
        if ((rc = custops_abtest_power(&w, pa, pb, n, alpha)))
            return cli_fail("abtest", rc, "power");
        printf("power\t%.6f\n", w);
    } else if (strcmp(sub, "sequential") == 0) {
        size_t looks = (size_t)(argc - optind);
        if (looks == 0)
            return cli_usage_error("abtest", "sequential needs at least one LOOK");
        int64_t *v = calloc(looks * 4, sizeof *v);
        double *p = calloc(looks, sizeof *p);
        if (!v || !p) {
            free(v), free(p);
            fprintf(stderr, "custops abtest: out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < looks; i++) {
            long long x[4];
            char tail;
            if (sscanf(argv[optind + i], "%lld/%lld,%lld/%lld%c", &x[0], &x[1], &x[2], &x[3], &tail) != 4) {
                free(v), free(p);
                return cli_usage_error("abtest", "LOOK '%s' is not convA/usersA,convB/usersB", argv[optind + i]);
            }
            v[i] = x[0], v[looks + i] = x[1], v[2 * looks + i] = x[2], v[3 * looks + i] = x[3];
        }
        rc = custops_abtest_sequential(p, v, v + looks, v + 2 * looks, v + 3 * looks, looks, tau);
        if (rc == 0) {
            printf("look\tp_always_valid\treject_at_%g\n", alpha);
            for (size_t i = 0; i < looks; i++)
                printf("%zu\t%.6g\t%s\n", i + 1, p[i], p[i] <= alpha ? "yes" : "no");
        }
        free(v), free(p);
        if (rc)
            return cli_fail("abtest", rc, "sequential");
    } else {
        return cli_usage_error("abtest", "unknown subcommand '%s'", sub);
    }
    return 0;
}

const cli_command cli_cmd_abtest = {"abtest", "A/B tests: two rates, revenue means, sample size, sequential", run};
