DESCRIPTION="an unknown test name is reported as a failed test, with the list of known ones"
CMDLINE="test=no_such_test"
EXPECT_STATUS=4
EXPECT=('^selftest: unknown test .no_such_test.; known: kernel_pf' '^TEST no_such_test fail unknown test$')
