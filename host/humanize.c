// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "humanize.h"

/* The thresholds of docker's go-units HumanDuration, which podman and Toolbx use. */
void humanize_since(int64_t then, int64_t now, char *buf, size_t cap)
{
	int64_t s, minutes, hours;

	/* @then comes from podman's JSON: any int64. Subtract only once it is known to be
	 * positive and not after @now, so that the difference cannot overflow. */
	if (then <= 0) {
		snprintf(buf, cap, "unknown");
		return;
	}
	if (now <= then) {
		snprintf(buf, cap, "Less than a second ago");
		return;
	}
	s = now - then;
	if (s == 1) {
		snprintf(buf, cap, "1 second ago");
		return;
	}
	if (s < 60) {
		snprintf(buf, cap, "%lld seconds ago", (long long)s);
		return;
	}
	minutes = s / 60;
	if (minutes == 1) {
		snprintf(buf, cap, "About a minute ago");
		return;
	}
	if (minutes < 60) {
		snprintf(buf, cap, "%lld minutes ago", (long long)minutes);
		return;
	}
	hours = s / 3600 + (s % 3600 >= 1800); /* rounded, as go-units does; no overflow */
	if (hours == 1)
		snprintf(buf, cap, "About an hour ago");
	else if (hours < 48)
		snprintf(buf, cap, "%lld hours ago", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, cap, "%lld days ago", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, cap, "%lld weeks ago", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, cap, "%lld months ago", (long long)(hours / 24 / 30));
	else
		snprintf(buf, cap, "%lld years ago", (long long)(hours / 24 / 365));
}
