/* custops crosssell: "bought A, also bought B" pairs from a lines CSV. */
#include "cli.h"
#include "csvframe.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops crosssell --lines LINES.csv [options]\n\n"
           "Top partners of every item with support, confidence and lift, as CSV.\n\n"
           "  --by order|customer      baskets are orders (default) or customer histories\n"
           "  --item sku|category      the item column (default sku)\n"
           "  --top K                  partners per item (10)\n"
           "  --min-count N            minimum baskets holding both (2)\n"
           "  --min-support S          minimum share of baskets holding both (0)\n"
           "  --rank confidence|lift   ranking (confidence)\n"
           "  --max-basket N           skip baskets with more distinct items (500)\n"
           "  --zone ZONE              zone for time texts in the CSV (UTC)\n"
           "  --out PATH               write the CSV to PATH instead of standard output\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"lines", required_argument, NULL, 'l'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"item", required_argument, NULL, 'i'},
                                         {"top", required_argument, NULL, 'k'},
                                         {"min-count", required_argument, NULL, 'm'},
                                         {"min-support", required_argument, NULL, 's'},
                                         {"rank", required_argument, NULL, 'r'},
                                         {"max-basket", required_argument, NULL, 'x'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *path = NULL, *zone = "UTC", *out = NULL;
    custops_crosssell_options o = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    int c;
    char *end = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l': path = optarg; break;
        case 'b':
            if (strcmp(optarg, "order") && strcmp(optarg, "customer"))
                return cli_usage_error("crosssell", "--by is order or customer");
            o.basket_col = optarg;
            break;
        case 'i':
            if (strcmp(optarg, "sku") && strcmp(optarg, "category"))
                return cli_usage_error("crosssell", "--item is sku or category");
            o.item_col = optarg;
            break;
        case 'k': o.top_k = strtoll(optarg, &end, 10); bad = *end != 0; break;
        case 'm': o.min_count = strtoll(optarg, &end, 10); bad = *end != 0; break;
        case 's': o.min_support = strtod(optarg, &end); bad = *end != 0; break;
        case 'x': o.max_basket_items = strtoll(optarg, &end, 10); bad = *end != 0; break;
        case 'r':
            if (strcmp(optarg, "confidence") == 0)
                o.rank_by = CUSTOPS_CROSSSELL_BY_CONFIDENCE;
            else if (strcmp(optarg, "lift") == 0)
                o.rank_by = CUSTOPS_CROSSSELL_BY_LIFT;
            else
                return cli_usage_error("crosssell", "--rank is confidence or lift");
            break;
        case 'z': zone = optarg; break;
        case 'o': out = optarg; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("crosssell", "unknown option");
        }
        if (bad || (end && end == optarg))
            return cli_usage_error("crosssell", "'%s' is not a number", optarg);
        end = NULL;
    }
    if (!path || optind != argc)
        return cli_usage_error("crosssell", "--lines is required");
    custops_zone *z;
    int rc = custops_zone_open(&z, zone);
    if (rc)
        return cli_fail("crosssell", rc, zone);
    char err[1024];
    custops_frame *lines = NULL, *pairs = NULL;
    int code = 0;
    if ((rc = csvframe_load(&lines, path, CSVF_LINES, CSVF_NLINES, z, err, sizeof err))) {
        fprintf(stderr, "custops crosssell: %s\n", err);
        code = 1;
    } else if ((rc = custops_crosssell_pairs(&pairs, lines, &o))) {
        code = cli_fail("crosssell", rc, "pairs");
    } else if ((rc = csvframe_emit(pairs, out))) {
        code = cli_fail("crosssell", rc, out ? out : "standard output");
    }
    custops_frame_free(pairs);
    custops_frame_free(lines);
    custops_zone_free(z);
    return code;
}

const cli_command cli_cmd_crosssell = {"crosssell", "bought A, also bought B: pairs with support, confidence, lift", run};
