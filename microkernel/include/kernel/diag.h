/*
 * The diagnostics box: how the kernel reports an exception or a killed
 * task, box-drawn so it stands out in a serial log, one fact per line.
 */
#ifndef KERNEL_DIAG_H
#define KERNEL_DIAG_H

void diag_begin(const char *title);
void diag_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_rule(void);
void diag_end(void);

#endif
