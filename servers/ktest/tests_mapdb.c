/* Mapping database tests (being written). */
#include "ktest.h"

int tests_mapdb(void) { return 0; }
