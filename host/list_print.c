// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "humanize.h"
#include "list_print.h"

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
	t->cells = calloc(rows ? rows : 1, sizeof(*t->cells));
	t->running = calloc(rows ? rows : 1, sizeof(*t->running));
	if (!t->cells || !t->running)
		return -ENOMEM; /* rows stays 0: table_free() frees just the two arrays */
	t->rows = rows;
	t->cols = cols;
	return 0;
}

/* Columns padded to the widest cell plus two spaces, as Go's tabwriter does for Toolbx. */
static void table_print(FILE *f, const struct table *t, const char *const *header, bool color)
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
			fputs(!head && t->running[r - 1] ? COLOR_RUNNING : COLOR_DEFAULT, f);
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = head ? header[c] : t->cells[r - 1][c];

			if (c + 1 < t->cols)
				fprintf(f, "%-*s", (int)(width[c] + 2), s ? s : "");
			else
				fputs(s ? s : "", f);
		}
		if (color)
			fputs(COLOR_RESET, f);
		fputc('\n', f);
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

int list_print_images(FILE *f, const struct image_info *imgs, size_t n, int64_t now)
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
		table_print(f, &t, header, false);
	table_free(&t);
	return r;
}

int list_print_containers(FILE *f, const struct container_summary *cs, size_t n, int64_t now,
			  bool color)
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
		table_print(f, &t, header, color);
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

int list_print_json(FILE *f, const struct image_info *imgs, size_t ni, bool ls_images,
		    const struct container_summary *cs, size_t nc, bool ls_containers)
{
	json_object *root = json_object_new_object();
	const char *text;
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
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		r = -ENOMEM;
	else if (fprintf(f, "%s\n", text) < 0)
		r = -EIO;
	json_object_put(root);
	return r;
}
