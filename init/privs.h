/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability dropping for sessions and confinement (caps, no_new_privs, seccomp) for PID 1. */
#ifndef TB_PRIVS_H
#define TB_PRIVS_H

/*
 * Session processes: clear the effective, permitted and inheritable capability sets and the
 * ambient set. The bounding set is kept so setuid programs (sudo) still gain privileges, and
 * no_new_privs is left off for the same reason. A uid 0 session regains the bounding set on
 * execve(), as it would after Toolbx's `capsh --caps=""`. 0 or -errno.
 */
int privs_drop_session(void);

/*
 * PID 1 after setup: empty the bounding set (needs CAP_SETPCAP, so it comes first), the
 * ambient, inheritable, permitted and effective sets, set no_new_privs, and load a seccomp
 * allow-list of the syscalls the PID 1 loop makes. Every other syscall fails with EPERM
 * (the filter never kills: PID 1 must not die). Every step is attempted even when an
 * earlier one failed; the first error is returned. 0 or -errno.
 */
int privs_confine_pid1(void);

#endif
