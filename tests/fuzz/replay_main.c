// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for the fuzz targets without libFuzzer: feed every file named on the command line,
 * and every regular file in every directory named (sorted, not recursive), to
 * LLVMFuzzerTestOneInput(). A crash or an abort in the target fails the run; so does a file
 * that cannot be read or an empty corpus.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (64u << 20)

static int replay_file(int dirfd, const char *name, const char *shown)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = fd_read_file_at(dirfd, name, REPLAY_MAX_INPUT, &buf, &len);
	if (r < 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", shown, strerror(-r));
		return r;
	}
	/* Hand the target an exact-size copy so that ASan sees reads past the end. */
	{
		uint8_t *copy = malloc(len ? len : 1);

		if (!copy) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(copy, buf, len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_files(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static int replay_dir(const char *path, unsigned *count)
{
	struct dirent **list = NULL;
	int n, fd, r = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	n = scandir(path, &list, only_files, by_name);
	if (n < 0) {
		r = -errno;
		fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
		close(fd);
		return r;
	}
	for (int i = 0; i < n; i++) {
		char shown[4096];
		struct stat st;

		snprintf(shown, sizeof(shown), "%s/%s", path, list[i]->d_name);
		if (r == 0 && fstatat(fd, list[i]->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			r = replay_file(fd, list[i]->d_name, shown);
			if (r == 0)
				(*count)++;
		}
		free(list[i]);
	}
	free(list);
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				return 1;
		} else if (replay_file(AT_FDCWD, argv[i], argv[i]) < 0) {
			return 1;
		} else {
			count++;
		}
	}
	if (count == 0) {
		fprintf(stderr, "replay: no input found in the corpus\n");
		return 1;
	}
	printf("replay: %u inputs, no crash\n", count);
	return 0;
}
