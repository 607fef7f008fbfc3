/*
 * The kernel command line (boot.cfg's cmdline) is words "key=value"
 * separated by spaces. The kernel reads its keys with this, and the root
 * task (which gets the line in its root info) reads its own and serves
 * PG_GETENV with it.
 */
#ifndef IPC_CMDLINE_H
#define IPC_CMDLINE_H

/* Value of "key=value" in the command line, copied into buf ("" if
 * absent, cut to size - 1 characters). Returns 1 when the key is present.
 * A zero-sized buffer gets nothing written. */
int cmdline_get(const char *cmdline, const char *key, char *buf, unsigned size);

#endif
