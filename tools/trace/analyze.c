/* The analysis every output shares: names, round trips, spans. */
#include "tracetool.h"

void analyze(struct analysis *a, const struct trace *tr)
{
    a->tr = tr;
    names_build(&a->nm, tr);
    rt_match(&a->rt, tr);
    model_build(&a->md, tr, &a->rt);
}

void analysis_free(struct analysis *a)
{
    names_free(&a->nm);
    rt_free(&a->rt);
    model_free(&a->md);
}

/* Records the timeline views show as instants: the memory and lifetime
 * events, and IPC records no round trip explains (a SEND, a REPLY without
 * a RECV, a fault nobody received). SWITCHes are the running spans. */
int rec_is_instant(const struct analysis *a, size_t i)
{
    switch (a->tr->rec[i].event) {
    case TRACE_SWITCH:
        return 0;
    case TRACE_CALL:
    case TRACE_RECV:
    case TRACE_REPLY:
    case TRACE_FAULT:
        return !a->rt.used[i];
    default:
        return 1;
    }
}
