// SPDX-License-Identifier: GPL-2.0-or-later
/* toolbox list: Toolbx's two tables (or JSON), one podman call for each. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "container.h"
#include "humanize.h"
#include "image.h"
#include "log.h"
#include "macros.h"
#include "podman.h"

/* Toolbx's colours: running containers bold green; same-length codes keep columns. */
#define COLOR_RUNNING "\033[1;32m"
#define COLOR_DEFAULT "\033[0;00m"
#define COLOR_RESET "\033[0m"

#define LIST_COLS 5

struct table {
	char *(*cells)[LIST_COLS];
	bool *running;
	size_t rows, cols;
};

static void table_free(struct table *t)
{
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols; c++)
			free(t->cells[r][c]);
	free(t->cells);
	free(t->running);
}

static int table_init(struct table *t, size_t rows, size_t cols)
{
	t->rows = rows;
	t->cols = cols;
	t->cells = calloc(rows ? rows : 1, sizeof(*t->cells));
	t->running = calloc(rows ? rows : 1, sizeof(*t->running));
	return t->cells && t->running ? 0 : -ENOMEM;
}

/* Columns padded to the widest cell plus two spaces, as Go's tabwriter does for Toolbx. */
static void table_print(const struct table *t, const char *const *header, bool color)
{
	size_t width[LIST_COLS] = {0};

	for (size_t c = 0; c < t->cols; c++) {
		width[c] = strlen(header[c]);
		for (size_t r = 0; r < t->rows; r++) {
			size_t w = strlen(t->cells[r][c] ? t->cells[r][c] : "");

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r <= t->rows; r++) {
		bool head = r == 0;

		if (color)
			fputs(!head && t->running[r - 1] ? COLOR_RUNNING : COLOR_DEFAULT, stdout);
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = head ? header[c] : t->cells[r - 1][c];

			if (c + 1 < t->cols)
				printf("%-*s", (int)(width[c] + 2), s ? s : "");
			else
				fputs(s ? s : "", stdout);
		}
		if (color)
			fputs(COLOR_RESET, stdout);
		putchar('\n');
	}
}

static char *short_id(const char *id)
{
	return strndup(id ? id : "", 12);
}

static char *created_text(int64_t created, int64_t now)
{
	char buf[64];

	humanize_since(created, now, buf, sizeof(buf));
	return strdup(buf);
}

static int print_images(const struct image_info *imgs, size_t n, int64_t now)
{
	static const char *const header[] = {"IMAGE ID", "IMAGE NAME", "CREATED"};
	struct table t = {0};
	int r = table_init(&t, n, 3);

	for (size_t i = 0; r == 0 && i < n; i++) {
		t.cells[i][0] = short_id(imgs[i].id);
		t.cells[i][1] = strdup(imgs[i].names[0] ? imgs[i].names[0] : "<none>");
		t.cells[i][2] = created_text(imgs[i].created, now);
		if (!t.cells[i][0] || !t.cells[i][1] || !t.cells[i][2])
			r = -ENOMEM;
	}
	if (r == 0)
		table_print(&t, header, false);
	table_free(&t);
	return r;
}

static int print_containers(const struct container_summary *cs, size_t n, int64_t now, bool color)
{
	static const char *const header[] = {"CONTAINER ID", "CONTAINER NAME", "CREATED", "STATUS",
					     "IMAGE NAME"};
	struct table t = {0};
	int r = table_init(&t, n, 5);

	for (size_t i = 0; r == 0 && i < n; i++) {
		t.cells[i][0] = short_id(cs[i].id);
		t.cells[i][1] = strdup(cs[i].name);
		t.cells[i][2] = created_text(cs[i].created, now);
		t.cells[i][3] = strdup(cs[i].state);
		t.cells[i][4] = strdup(cs[i].image);
		t.running[i] = strcmp(cs[i].state, "running") == 0;
		for (size_t c = 0; c < 5; c++)
			if (!t.cells[i][c])
				r = -ENOMEM;
	}
	if (r == 0)
		table_print(&t, header, color);
	table_free(&t);
	return r;
}

static json_object *json_time(int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		return NULL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static int print_json(const struct image_info *imgs, size_t ni, bool ls_images,
		      const struct container_summary *cs, size_t nc, bool ls_containers)
{
	json_object *root = json_object_new_object();
	int r = 0;

	if (!root)
		return -ENOMEM;
	if (ls_images) {
		json_object *arr = json_object_new_array();

		json_object_object_add(root, "images", arr);
		for (size_t i = 0; i < ni; i++) {
			json_object *o = json_object_new_object(), *names = json_object_new_array();

			for (char **nm = imgs[i].names; nm && *nm; nm++)
				json_object_array_add(names, json_object_new_string(*nm));
			json_object_object_add(o, "id", json_object_new_string(imgs[i].id));
			json_object_object_add(o, "names", names);
			json_object_object_add(o, "created", json_time(imgs[i].created));
			json_object_array_add(arr, o);
		}
	}
	if (ls_containers) {
		json_object *arr = json_object_new_array();

		json_object_object_add(root, "containers", arr);
		for (size_t i = 0; i < nc; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_string(cs[i].id));
			json_object_object_add(o, "name", json_object_new_string(cs[i].name));
			json_object_object_add(o, "created", json_time(cs[i].created));
			json_object_object_add(o, "status", json_object_new_string(cs[i].state));
			json_object_object_add(o, "image", json_object_new_string(cs[i].image));
			json_object_array_add(arr, o);
		}
	}
	if (puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		r = -EIO;
	json_object_put(root);
	return r;
}

void cmd_report_list_error(const char *what, int r, const char *err)
{
	if (r == -ENOEXEC)
		log_msg(LOG_LVL_ERROR, 0, PODMAN_MISSING_MSG);
	else if (r == -EIO)
		log_msg(LOG_LVL_ERROR, 0, "failed to get %s: %s", what,
			err ? err : "podman failed");
	else
		log_msg(LOG_LVL_ERROR, -r, "failed to get %s", what);
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"containers", no_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"images", no_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	bool only_c = false, only_i = false, json = false, ls_c, ls_i;
	struct container_summary *cs = NULL;
	struct image_info *imgs = NULL;
	size_t nc = 0, ni = 0;
	_cleanup_free_ char *err = NULL;
	int c, r, ret = TB_EXIT_FAILURE;
	int64_t now = (int64_t)time(NULL);

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:chi", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			only_c = true;
			break;
		case 'i':
			only_i = true;
			break;
		case 'h':
			return help_show("list");
		case 'F':
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "table") != 0) {
				log_msg(LOG_LVL_ERROR, 0,
					"invalid argument for '--format': %s (use json or table)",
					optarg);
				return TB_EXIT_FAILURE;
			}
			break;
		default:
			log_msg(LOG_LVL_ERROR, 0,
				"unknown or incomplete option %s for \"list\"; run 'toolbox list "
				"--help' for usage",
				argv[optind - 1]);
			return TB_EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		log_msg(LOG_LVL_ERROR, 0,
			"\"list\" takes no arguments (got %s); run 'toolbox "
			"list --help' for usage",
			argv[optind]);
		return TB_EXIT_FAILURE;
	}
	/* As Toolbx: -c alone lists containers, -i alone images, neither or both lists both. */
	ls_c = !(only_i && !only_c);
	ls_i = !(only_c && !only_i);

	if (ls_i) {
		r = image_list_all(true, &imgs, &ni, &err);
		if (r < 0) {
			cmd_report_list_error("images", r, err);
			goto out;
		}
	}
	if (ls_c) {
		free(err);
		err = NULL;
		r = container_list_all(true, &cs, &nc, &err);
		if (r < 0) {
			cmd_report_list_error("containers", r, err);
			goto out;
		}
	}
	if (json) {
		r = print_json(imgs, ni, ls_i, cs, nc, ls_c);
	} else {
		r = 0;
		if (ni > 0)
			r = print_images(imgs, ni, now);
		if (r == 0 && ni > 0 && nc > 0)
			putchar('\n');
		if (r == 0 && nc > 0)
			r = print_containers(cs, nc, now, isatty(STDOUT_FILENO));
	}
	if (r < 0) {
		log_msg(LOG_LVL_ERROR, -r, "cannot print the list");
		goto out;
	}
	if (fflush(stdout) != 0) {
		log_msg(LOG_LVL_ERROR, errno, "cannot write the list");
		goto out;
	}
	ret = 0;
out:
	container_list_free(cs, nc);
	image_list_free(imgs, ni);
	return ret;
}
