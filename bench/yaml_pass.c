/* yaml_pass ARCHIVE|DIR — the baseline of bench/rules_load.sh: the least any
 * YAML rule loader must do. Reads every *.yaml file of the source the same
 * way thoth does (the archive through extractors/archive, a directory file
 * by file) and runs a bare libyaml event pass over each (no tree, no
 * validation). Prints the number of files and events.
 * (A benchmark baseline, not product code: it includes yaml.h on purpose.) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "extractors/archive.h"

typedef struct pass {
	size_t files, events;
} pass;

static int events(void *ud, const char *path, const void *data, size_t len, th_error *err)
{
	pass *p = ud;
	yaml_parser_t parser;
	yaml_event_t ev;
	int done = 0;

	(void)path;
	(void)err;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		p->events++;
	}
	yaml_parser_delete(&parser);
	p->files++;
	return 0;
}

static bool want(void *ud, const char *path)
{
	size_t n = strlen(path);
	(void)ud;
	return n > 5 && !strcmp(path + n - 5, ".yaml");
}

static void walk(const char *dir, pass *p)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, p);
		} else if (S_ISREG(st.st_mode) && want(NULL, path)) {
			FILE *f = fopen(path, "rb");
			char *buf = malloc((size_t)st.st_size + 1);
			if (f && buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
				events(p, path, buf, (size_t)st.st_size, NULL);
			free(buf);
			if (f)
				fclose(f);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	th_archive_opts o;
	th_error err = TH_ERROR_INIT;
	pass p = { 0, 0 };
	struct stat st;

	if (argc != 2 || stat(argv[1], &st)) {
		fprintf(stderr, "usage: yaml_pass ARCHIVE|DIR\n");
		return 2;
	}
	if (S_ISDIR(st.st_mode)) {
		walk(argv[1], &p);
	} else {
		th_archive_opts_init(&o, NULL, argv[1]);
		o.want = want;
		if (th_archive_each(argv[1], &o, events, &p, &err)) {
			fprintf(stderr, "yaml_pass: %s\n", err.msg);
			return 1;
		}
	}
	printf("%zu files, %zu events\n", p.files, p.events);
	return 0;
}
