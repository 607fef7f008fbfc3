/*
 * tracetool: reads the kernel's event trace (ipc/trace.h) on the build
 * machine (the kernel writes it with trace=N on its command line).
 *
 *   tracetool text TRACE.bin                 one line per record
 *   tracetool json TRACE.bin OUT.json        Chrome trace (Perfetto)
 *   tracetool svg TRACE.bin OUT.svg [--from TSC] [--to TSC] [--fault N]
 *                 [--title TEXT]             a timeline for the docs
 *   tracetool faults TRACE.bin               fault round trips, one a line
 *
 * and, for the tests only, `tracetool synth OUT.bin`: writes the known
 * synthetic trace of synth.c. OUT may be "-" for standard output.
 * Exit status: 0 done, 1 unusable input or a failed write, 2 usage.
 */
#include "tracetool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: tracetool text TRACE.bin\n"
          "       tracetool json TRACE.bin OUT.json\n"
          "       tracetool svg TRACE.bin OUT.svg [--from TSC] [--to TSC] [--fault N]"
          " [--title TEXT]\n"
          "       tracetool faults TRACE.bin\n", stderr);
    return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return 0;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return 0;
    *v = x;
    return 1;
}

/* Says on stderr what the analysis had to skip or guess. */
static void warn(const char *path, const struct analysis *a)
{
    const struct trace *tr = a->tr;
    if (tr->missing)
        fprintf(stderr, "tracetool: %s: warning: the header counts %" PRIu64 " records, the "
                "file holds %zu (cut short?): using those\n", path, tr->hdr.count,
                (size_t)(tr->hdr.count - tr->missing));
    else if (tr->extra_bytes)
        fprintf(stderr, "tracetool: %s: warning: %" PRIu64 " bytes after the last record "
                "ignored\n", path, tr->extra_bytes);
    if (tr->skipped)
        fprintf(stderr, "tracetool: %s: warning: %zu records with unknown event numbers "
                "skipped\n", path, tr->skipped);
    if (tr->out_of_order)
        fprintf(stderr, "tracetool: %s: warning: %zu records go back in time (taken as "
                "at the time before them)\n", path, tr->out_of_order);
    if (tr->hdr.dropped)
        fprintf(stderr, "tracetool: %s: note: the kernel dropped %" PRIu64 " events after "
                "its buffer filled (trace=N on its command line sets the size)\n", path,
                tr->hdr.dropped);
}

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "tracetool: %s: cannot write: %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "tracetool: %s: write failed\n", path);
        return 1;
    }
    return 0;
}

static int synth(const char *out)
{
    struct trace_record r[SYNTH_MAX];
    struct trace_header h;
    size_t n = synth_records(r), len;
    trace_header_init(&h, n);
    unsigned char *buf = trace_encode(&h, r, n, &len);
    FILE *f = open_out(out);
    if (f)
        fwrite(buf, 1, len, f);
    free(buf);
    return f ? close_out(f, out) : 1;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1], *in = argv[2], *out = argc > 3 ? argv[3] : NULL;
    struct svg_opts so = {0};
    if (strcmp(cmd, "synth") == 0)
        return argc == 3 ? synth(in) : usage();
    if (strcmp(cmd, "text") == 0 || strcmp(cmd, "faults") == 0) {
        if (argc != 3)
            return usage();
    } else if (strcmp(cmd, "json") == 0) {
        if (argc != 4)
            return usage();
    } else if (strcmp(cmd, "svg") == 0) {
        if (argc < 4)
            return usage();
        for (int i = 4; i < argc; i += 2) {
            const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
            uint64_t v;
            if (!val)
                return usage();
            if (strcmp(opt, "--title") == 0) {
                so.title = val;
                continue;
            }
            if (!parse_u64(val, &v)) {
                fprintf(stderr, "tracetool: %s wants a number, not \"%s\"\n", opt, val);
                return 2;
            }
            if (strcmp(opt, "--from") == 0)
                so.from = v, so.has_from = 1;
            else if (strcmp(opt, "--to") == 0)
                so.to = v, so.has_to = 1;
            else if (strcmp(opt, "--fault") == 0 && v <= SIZE_MAX)
                so.fault = (size_t)v, so.has_fault = 1;
            else
                return usage();
        }
    } else {
        return usage();
    }

    struct trace tr;
    if (trace_load(&tr, in)) {
        fprintf(stderr, "tracetool: %s: %s\n", in, tr.err);
        return 1;
    }
    struct analysis a;
    analyze(&a, &tr);
    warn(in, &a);
    int status = 0;
    if (strcmp(cmd, "text") == 0) {
        text_write(stdout, &a);
        status = close_out(stdout, "standard output");
    } else if (strcmp(cmd, "faults") == 0) {
        faults_write(stdout, &a);
        status = close_out(stdout, "standard output");
    } else if (strcmp(cmd, "json") == 0) {
        FILE *f = open_out(out);
        if (f)
            json_write(f, &a);
        status = f ? close_out(f, out) : 1;
    } else {
        char err[200];
        uint64_t from, to;
        /* The window is checked before OUT is created, so a bad one leaves
         * no empty file behind. */
        if (svg_window(&a, &so, &from, &to, err, sizeof(err))) {
            fprintf(stderr, "tracetool: %s\n", err);
            status = 1;
        } else {
            FILE *f = open_out(out);
            if (f)
                svg_write(f, &a, &so, err, sizeof(err));
            status = f ? close_out(f, out) : 1;
        }
    }
    analysis_free(&a);
    trace_free(&tr);
    return status;
}
