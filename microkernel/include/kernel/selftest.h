/* Kernel self-tests chosen with "test=NAME" on the command line. Some end
 * the run on purpose through the exception path (kernel_pf, ...), so that
 * the test suite can check the diagnostics box. */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Runs the named test. Returns 0 if it passed, -1 if it failed, and does
 * not return at all for the tests that fault on purpose. Unknown names
 * print the list and count as a failure. */
int selftest_run(const char *name);

#endif
