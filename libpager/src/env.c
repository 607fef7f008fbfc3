/* The command line: the root info's copy, or our pager's (PG_GETENV). */
#include "internal.h"
#include <ipc/cmdline.h>
#include <ipc/process.h>

int lp_env(const char *key, char *out, unsigned size)
{
    if (lp_stacked)
        return getenv_cmdline(key, out, size) == 0;
    return cmdline_get(lp_root->cmdline, key, out, size);
}

uint64_t lp_env_number(const char *key, uint64_t dflt)
{
    char v[24];
    uint64_t n;
    return lp_env(key, v, sizeof(v)) && cmdline_number(v, UINT64_MAX, &n) ? n : dflt;
}
