/*
 * The kernel command line (boot.cfg's cmdline) is words "key=value"
 * separated by spaces. The kernel reads its keys with this, and the root
 * task (which gets the line in its root info) reads its own and serves
 * PG_GETENV with it.
 */
#ifndef IPC_CMDLINE_H
#define IPC_CMDLINE_H

#include <stdint.h>

/* Value of "key=value" in the command line, copied into buf ("" if
 * absent, cut to size - 1 characters). Returns 1 when the key is present.
 * A zero-sized buffer gets nothing written. */
int cmdline_get(const char *cmdline, const char *key, char *buf, unsigned size);

/* A value that is a decimal number: 1 and *out when s is one or more
 * digits and nothing else, at most max (no overflow on the way); 0 and
 * *out untouched otherwise ("", "12k", "-1", a number past max). The one
 * parser of numbers from the command line, kernel and programs alike. */
int cmdline_number(const char *s, uint64_t max, uint64_t *out);

#endif
