/* A report rendered into memory. See report_render.h. */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/report_render.h"

char *render_report(output_fn output, const cc_report_t *report, size_t *len)
{
    /* A memory stream rather than a temporary file: the formats write to a
     * FILE *, and this keeps the tests free of the file system. */
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(output(report, out), 0);
    assert_int_equal(fclose(out), 0);
    assert_non_null(text);
    if (len)
        *len = size;
    return text;
}
