/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakcheck.h - the kselftest harness runs each test in a child that ends
 * with _exit(), so LeakSanitizer's exit-time check never runs. LEAK_CHECK()
 * runs it explicitly at the end of a test (in the ASan build; a no-op
 * otherwise) and fails the test if anything leaked.
 */
#ifndef CLAWLOCK_LEAKCHECK_H
#define CLAWLOCK_LEAKCHECK_H

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() EXPECT_EQ(0, __lsan_do_recoverable_leak_check())
#else
#define LEAK_CHECK()                                                                               \
	do {                                                                                       \
	} while (0)
#endif

#endif /* CLAWLOCK_LEAKCHECK_H */
