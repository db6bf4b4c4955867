/* A report rendered into memory, for the unit tests that check the output
 * formats (golden files, parsing the JSON and SARIF back). Include after
 * <cmocka.h>: a failed rendering fails the running test. */
#ifndef CC_TEST_REPORT_RENDER_H
#define CC_TEST_REPORT_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* The output functions of report.h: cc_output_text, _json, _sarif. */
typedef int (*output_fn)(const cc_report_t *report, FILE *out);

/* Renders the report with output into a malloc'd, NUL-terminated buffer,
 * and its length (without the NUL) into *len unless len is NULL. The output
 * must succeed: an error means a format cannot print this report. */
char *render_report(output_fn output, const cc_report_t *report, size_t *len);

#endif
