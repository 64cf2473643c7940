/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to setup_user.c (the edits) and setup_user_files.c (the I/O). */
#ifndef TB_SETUP_USER_INT_H
#define TB_SETUP_USER_INT_H

#include <stddef.h>

#include "macros.h"
#include "setup_user.h"

/* Fill @err (may be NULL) with one line. */
void setup_user_seterr(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* What to do about an errno, appended to an error line ("" when nothing useful). */
const char *setup_user_hint(int e);
/* Refuse requests no database could hold. 0 or -EINVAL with @err. */
int setup_user_check_req(const struct setup_user_req *req, char *err, size_t errlen);

#endif
