/* Unit tests of the symbolizer against this very process: the module map
 * comes from dl_iterate_phdr, as the runtime records it, and the pcs are
 * return addresses captured in this file, so the expected function, file and
 * line are known exactly. Built -g -O0 (always_inline still inlines). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "symbolize.h"

/* ---- pcs with known call sites ---------------------------------------- */

static uint64_t captured_pc;
static int plain_call_line, inline_body_line, inline_call_line;

__attribute__((noinline)) static void capture_return_address(void)
{
    captured_pc = (uint64_t)(uintptr_t)__builtin_return_address(0);
    __asm__ volatile("" ::: "memory"); /* keep it a real call, not a tail jump */
}

__attribute__((noinline)) static void plain_caller(void)
{
    capture_return_address(); plain_call_line = __LINE__;
}

static inline __attribute__((always_inline)) void inlined_callee(void)
{
    capture_return_address(); inline_body_line = __LINE__;
}

__attribute__((noinline)) static void caller_of_inlined(void)
{
    inlined_callee(); inline_call_line = __LINE__;
}

/* ---- this process's module map ---------------------------------------- */

typedef struct test_modules {
    cc_module_info_t mods[2]; /* [0] the test executable, [1] libc */
    uint8_t ids[2][64];
    char exe[4096];
    size_t found;
} test_modules_t;

static size_t note_build_id(const struct dl_phdr_info *info, uint8_t *out, size_t cap)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *nh;
            const uint8_t *desc = (const uint8_t *)name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                nh->n_descsz <= cap) {
                memcpy(out, desc, nh->n_descsz);
                return nh->n_descsz;
            }
            p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 0;
}

static int collect(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    test_modules_t *t = arg;
    int slot;
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
        slot = 0; /* the main program: the loader gives no name */
    else if (strstr(info->dlpi_name, "/libc.so") != NULL)
        slot = 1;
    else
        return 0;
    if (t->mods[slot].path != NULL)
        return 0;
    cc_module_info_t *m = &t->mods[slot];
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    m->path = slot == 0 ? t->exe : info->dlpi_name;
    m->bias = info->dlpi_addr;
    m->start = lo;
    m->end = hi;
    m->build_id_len = note_build_id(info, t->ids[slot], sizeof t->ids[slot]);
    m->build_id = t->ids[slot];
    t->found++;
    return 0;
}

static test_modules_t modules;

static int setup(void **state)
{
    (void)state;
    ssize_t len = readlink("/proc/self/exe", modules.exe, sizeof modules.exe - 1);
    if (len <= 0)
        return -1;
    modules.exe[len] = '\0';
    dl_iterate_phdr(collect, &modules);
    return modules.found == 2 ? 0 : -1;
}

/* ---- warnings ---------------------------------------------------------- */

typedef struct warnings {
    int count;
    char last[1024];
} warnings_t;

static void record_warning(void *ctx, const char *message)
{
    warnings_t *w = ctx;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

static void assert_ends_with(const char *s, const char *suffix)
{
    assert_non_null(s);
    size_t n = strlen(s), k = strlen(suffix);
    assert_true(n >= k);
    assert_string_equal(s + n - k, suffix);
}

/* ---- tests ------------------------------------------------------------- */

static void test_plain_call_site(void **state)
{
    (void)state;
    warnings_t w = {0};
    cc_symbolizer_t *s = cc_symbolizer_new(modules.mods, 2, record_warning, &w);
    assert_non_null(s);
    plain_caller();
    cc_frame_t f[8];
    for (int round = 0; round < 2; round++) { /* second round: from the cache */
        memset(f, 0xa5, sizeof f);
        assert_int_equal(cc_symbolize_pc(s, captured_pc, f, 8), 1);
        assert_int_equal(f[0].pc, captured_pc);
        assert_string_equal(f[0].function, "plain_caller");
        assert_ends_with(f[0].file, "test_symbolize.c");
        assert_int_equal(f[0].line, plain_call_line);
        assert_string_equal(f[0].module, modules.exe);
        assert_int_equal(f[0].module_offset, captured_pc - modules.mods[0].bias);
        assert_false(f[0].inlined);
    }
    assert_int_equal(w.count, 0);
    cc_symbolizer_free(s);
}

static void test_inlined_call_site(void **state)
{
    (void)state;
    cc_symbolizer_t *s = cc_symbolizer_new(modules.mods, 2, NULL, NULL);
    assert_non_null(s);
    caller_of_inlined();
    cc_frame_t f[8];
    size_t n = cc_symbolize_pc(s, captured_pc, f, 8);
    assert_int_equal(n, 2);
    assert_string_equal(f[0].function, "inlined_callee");
    assert_ends_with(f[0].file, "test_symbolize.c");
    assert_int_equal(f[0].line, inline_body_line);
    assert_true(f[0].inlined);
    assert_string_equal(f[1].function, "caller_of_inlined");
    assert_ends_with(f[1].file, "test_symbolize.c");
    assert_int_equal(f[1].line, inline_call_line);
    assert_false(f[1].inlined);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i].pc, captured_pc);
        assert_string_equal(f[i].module, modules.exe);
        assert_int_equal(f[i].module_offset, captured_pc - modules.mods[0].bias);
    }
    /* max truncates, innermost first. */
    assert_int_equal(cc_symbolize_pc(s, captured_pc, f, 1), 1);
    assert_string_equal(f[0].function, "inlined_callee");
    cc_symbolizer_free(s);
}

static void test_libc_without_debuginfo(void **state)
{
    (void)state;
    cc_symbolizer_t *s = cc_symbolizer_new(modules.mods, 2, NULL, NULL);
    assert_non_null(s);
    /* In a PIE, &getpid is libc's own entry (through the GOT); +1 makes it a
     * "return address" whose call instruction lies inside getpid. */
    uint64_t pc = (uint64_t)(uintptr_t)&getpid + 1;
    if (pc - 1 >= modules.mods[0].start && pc - 1 < modules.mods[0].end) {
        cc_symbolizer_free(s);
        skip(); /* -no-pie: &getpid is the executable's PLT entry */
    }
    assert_true(pc - 1 >= modules.mods[1].start && pc - 1 < modules.mods[1].end);
    cc_frame_t f[8];
    size_t n = cc_symbolize_pc(s, pc, f, 8);
    assert_true(n >= 1);
    assert_string_equal(f[n - 1].module, modules.mods[1].path);
    assert_int_equal(f[n - 1].module_offset, pc - modules.mods[1].bias);
    assert_non_null(f[n - 1].function);
    assert_non_null(strstr(f[n - 1].function, "getpid"));
    cc_symbolizer_free(s);
}

static void test_build_id_mismatch(void **state)
{
    (void)state;
    cc_module_info_t m = modules.mods[0];
    uint8_t wrong[64];
    memcpy(wrong, m.build_id, m.build_id_len);
    wrong[0] ^= 0xff;
    m.build_id = wrong;
    warnings_t w = {0};
    cc_symbolizer_t *s = cc_symbolizer_new(&m, 1, record_warning, &w);
    assert_non_null(s);
    plain_caller();
    plain_caller(); /* the same pc twice, then a different pc in the module */
    cc_frame_t f[8];
    for (int round = 0; round < 3; round++) {
        uint64_t pc = round < 2 ? captured_pc : captured_pc + 1;
        assert_int_equal(cc_symbolize_pc(s, pc, f, 8), 1);
        assert_null(f[0].function);
        assert_null(f[0].file);
        assert_int_equal(f[0].line, 0);
        assert_string_equal(f[0].module, modules.exe);
        assert_int_equal(f[0].module_offset, pc - m.bias);
    }
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "build id differs"));
    assert_non_null(strstr(w.last, modules.exe));
    cc_symbolizer_free(s);
}

static void test_missing_file(void **state)
{
    (void)state;
    const cc_module_info_t m = {
        .path = "/nonexistent/ccheck-test/libgone.so",
        .bias = 0x10000, .start = 0x10000, .end = 0x20000,
    };
    warnings_t w = {0};
    cc_symbolizer_t *s = cc_symbolizer_new(&m, 1, record_warning, &w);
    assert_non_null(s);
    cc_frame_t f[4];
    assert_int_equal(cc_symbolize_pc(s, 0x10123, f, 4), 1);
    assert_int_equal(cc_symbolize_pc(s, 0x10456, f, 4), 1);
    assert_null(f[0].function);
    assert_null(f[0].file);
    assert_string_equal(f[0].module, m.path);
    assert_int_equal(f[0].module_offset, 0x456);
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "/nonexistent/ccheck-test/libgone.so: cannot open ("));
    assert_non_null(strstr(w.last, "its frames show as module+offset"));
    cc_symbolizer_free(s);
}

static void test_outside_every_module(void **state)
{
    (void)state;
    cc_symbolizer_t *s = cc_symbolizer_new(modules.mods, 2, NULL, NULL);
    assert_non_null(s);
    const uint64_t pcs[] = {0, 1, 0x1000, UINT64_MAX};
    for (size_t i = 0; i < sizeof pcs / sizeof pcs[0]; i++) {
        cc_frame_t f[4];
        assert_int_equal(cc_symbolize_pc(s, pcs[i], f, 4), 1);
        assert_null(f[0].module);
        assert_null(f[0].function);
        assert_null(f[0].file);
        assert_int_equal(f[0].module_offset, pcs[i]);
        assert_int_equal(f[0].pc, pcs[i]);
        assert_false(f[0].inlined);
    }
    cc_symbolizer_free(s);
}

static void test_hostile_input(void **state)
{
    (void)state;
    cc_frame_t f[4];
    /* No modules at all. */
    cc_symbolizer_t *s = cc_symbolizer_new(NULL, 0, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(cc_symbolize_pc(s, 0x1234, f, 4), 1);
    assert_null(f[0].module);
    assert_int_equal(cc_symbolize_pc(s, 0x1234, f, 0), 0);
    assert_int_equal(cc_symbolize_pc(s, 0x1234, f, SIZE_MAX), 1);
    cc_symbolizer_free(s);
    cc_symbolizer_free(NULL);

    /* The same file twice, overlapping ranges, a directory, empty ranges. */
    cc_module_info_t m[6] = {modules.mods[0], modules.mods[0], modules.mods[1]};
    m[1].end += 0x1000;
    m[2].start = modules.mods[0].start; /* libc's record over the exe's range */
    m[2].end = modules.mods[0].start + 1;
    m[3] = (cc_module_info_t){.path = "/", .start = 1, .end = UINT64_MAX};
    m[4] = (cc_module_info_t){.path = "", .bias = UINT64_MAX, .start = 5, .end = 2};
    m[5] = (cc_module_info_t){.path = NULL, .start = UINT64_MAX - 1, .end = UINT64_MAX};
    s = cc_symbolizer_new(m, 6, NULL, NULL);
    assert_non_null(s);
    plain_caller();
    assert_true(cc_symbolize_pc(s, captured_pc, f, 4) >= 1);
    assert_string_equal(f[0].module, "/"); /* the last record holding pc wins */
    for (uint64_t pc = 0; pc < 64; pc++)
        assert_true(cc_symbolize_pc(s, pc * 0x0400000000000001u, f, 4) >= 1);
    cc_symbolizer_free(s);

    /* Without the catch-all record, the duplicate exe record symbolizes. */
    s = cc_symbolizer_new(m, 2, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(cc_symbolize_pc(s, captured_pc, f, 4), 1);
    assert_string_equal(f[0].function, "plain_caller");
    assert_int_equal(f[0].line, plain_call_line);
    cc_symbolizer_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_call_site),
        cmocka_unit_test(test_inlined_call_site),
        cmocka_unit_test(test_libc_without_debuginfo),
        cmocka_unit_test(test_build_id_mismatch),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_outside_every_module),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
