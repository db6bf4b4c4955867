/* CCHECK_OPTIONS parsing. Runs in the constructor, before anything may
 * allocate: it parses in place with no libc allocation. */
#include "options.h"

#include <string.h>

#include "util.h"

CC_HIDDEN cc_options_t cc_opt = {
#define CC_OPTION(name, def, min, max, doc) .name = (def),
#include "options.def"
#undef CC_OPTION
};

typedef struct option_row {
    const char *name;
    int min, max;
    int *field;
} option_row_t;

static const option_row_t option_rows[] = {
#define CC_OPTION(name, def, min, max, doc) {#name, (min), (max), &cc_opt.name},
#include "options.def"
#undef CC_OPTION
};

static bool parse_int(const char *s, size_t len, int *out)
{
    bool negative = len > 0 && s[0] == '-';
    size_t i = negative ? 1 : 0;
    long long v = 0;
    if (i == len)
        return false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 1000000000)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = (int)(negative ? -v : v);
    return true;
}

static void apply(const char *entry, size_t len)
{
    const char *eq = memchr(entry, '=', len);
    if (!eq) {
        cc_log("CCHECK_OPTIONS: '%s' is not name=value; ignored", entry);
        return;
    }
    size_t name_len = (size_t)(eq - entry);
    for (size_t i = 0; i < CC_ARRAY_SIZE(option_rows); i++) {
        const option_row_t *row = &option_rows[i];
        if (strlen(row->name) != name_len || memcmp(row->name, entry, name_len) != 0)
            continue;
        int value;
        if (!parse_int(eq + 1, len - name_len - 1, &value) || value < row->min || value > row->max) {
            cc_log("CCHECK_OPTIONS: %s wants a whole number from %d to %d; ignored", row->name,
                   row->min, row->max);
            return;
        }
        *row->field = value;
        return;
    }
    cc_log("CCHECK_OPTIONS: unknown option in '%s' (see `ccheck help options`); ignored", entry);
}

void cc_options_init(const char *text)
{
    if (!text)
        return;
    char entry[256];
    while (*text) {
        size_t len = strcspn(text, ":");
        if (len > 0) {
            size_t keep = len < sizeof entry - 1 ? len : sizeof entry - 1;
            memcpy(entry, text, keep);
            entry[keep] = 0;
            apply(entry, keep);
        }
        text += len;
        if (*text == ':')
            text++;
    }
}
