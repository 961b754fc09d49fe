// SPDX-License-Identifier: GPL-2.0
/*
 * tiny.c - the smallest static program there is: exit(0) and nothing else,
 * so the exec benchmark measures exec, not a C runtime starting up.
 * Built with -static -nostdlib.
 */
void _start(void)
{
	__asm__ volatile("mov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall" ::
				 : "rax", "rdi", "memory");
	__builtin_unreachable();
}
