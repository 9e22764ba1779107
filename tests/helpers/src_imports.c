/*
 * src_imports — drives analyzer/pysource for the differential test and the
 * benchmark.
 *
 *   src_imports FILE...            one JSON line per file: its imports as the
 *                                  oracle writes them, [module, level, line, col, kind]
 *   src_imports --check ORACLE     reads ast_imports_oracle.py's JSON lines and
 *                                  compares every file with thoth's answer; prints
 *                                  each difference and each file CPython refused,
 *                                  then a summary; exit 1 on any difference
 *   src_imports --parse-only FILE... the benchmark's bare tree-sitter baseline:
 *                                  read, decode and parse each file with
 *                                  tree-sitter's own API and allocator (one
 *                                  parser, each tree deleted), nothing else
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "analyzer/pysource.h"
#include "core/buf.h"
#include "core/json.h"
#include "extractors/pyenc.h"

static int read_file(th_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	th_buf_clear(out);
	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (th_buf_put(out, chunk, n, NULL)) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

typedef struct entry {
	const char *module;
	long level, line, col;
	const char *kind;
} entry;

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *b = y;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->module, b->module);
}

/* thoth's imports of one file (import/from only, sorted as the oracle sorts). */
static int analyze(th_pysource_parser *p, const char *path, th_arena *a, entry **out, size_t *n, th_pysource *src,
		   th_pyenc_info *info)
{
	th_buf raw = TH_BUF_INIT, text = TH_BUF_INIT;
	th_limits lim;
	th_error err = TH_ERROR_INIT;
	int rc;

	th_limits_init(&lim);
	*out = NULL;
	*n = 0;
	if (read_file(&raw, path) || th_pyenc_decode(&text, info, raw.ptr, raw.len, &err)) {
		fprintf(stderr, "src_imports: %s: cannot read\n", path);
		rc = -1;
		goto done;
	}
	if ((rc = th_pysource_analyze(src, p, text.ptr, text.len, false, path, &lim, a, &err))) {
		fprintf(stderr, "src_imports: %s\n", err.msg);
		goto done;
	}
	*out = th_arena_alloc(a, (src->nimports + 1) * sizeof(entry));
	for (size_t i = 0; i < src->nimports; i++) {
		const th_pyimport *im = &src->imports[i];
		if (im->kind == TH_PYIMPORT_DYNAMIC)
			continue;
		(*out)[(*n)++] = (entry){ im->module, im->level, im->line, im->col,
					  im->kind == TH_PYIMPORT_IMPORT ? "import" : "from" };
	}
	qsort(*out, *n, sizeof(entry), cmp_entry);
done:
	th_buf_release(&raw);
	th_buf_release(&text);
	return rc;
}

static int check(th_pysource_parser *p, const char *oracle)
{
	th_buf all = TH_BUF_INIT;
	size_t files = 0, imports = 0, bad = 0, refused = 0, ts_errors = 0;
	char *line, *save = NULL;

	if (read_file(&all, oracle)) {
		fprintf(stderr, "src_imports: cannot read %s\n", oracle);
		return 2;
	}
	for (line = strtok_r(all.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		th_json *root = NULL;
		th_arena a;
		entry *ours;
		size_t n;
		th_pysource src;
		th_pyenc_info info;
		const char *file;
		th_json *list;
		int diff = 0;

		if (th_json_parse(&root, line, strlen(line), 64, oracle, NULL)) {
			fprintf(stderr, "src_imports: bad oracle line: %.80s\n", line);
			return 2;
		}
		th_arena_init(&a, 1 << 16);
		file = th_json_str(th_json_get(root, "file"), NULL);
		files++;
		if (analyze(p, file, &a, &ours, &n, &src, &info)) {
			printf("DIFF %s: thoth could not analyze it\n", file);
			bad++;
			goto next;
		}
		if (src.has_errors)
			ts_errors++;
		if (th_json_get(root, "error")) {
			refused++;
			printf("CPYTHON-REFUSED %s: %s (thoth: %s%s%s)\n", file, th_json_str(th_json_get(root, "error"), NULL),
			       src.has_errors ? "syntax errors" : "parsed", info.problem ? ", " : "",
			       info.problem ? info.problem : "");
			goto next;
		}
		list = th_json_get(root, "imports");
		imports += th_json_len(list);
		for (size_t i = 0; i < th_json_len(list) || i < n; i++) {
			th_json *e = th_json_at(list, i);
			const char *om = th_json_str(th_json_at(e, 0), NULL);
			long ol = (long)th_json_int(th_json_at(e, 1)), oline = (long)th_json_int(th_json_at(e, 2));
			long ocol = (long)th_json_int(th_json_at(e, 3));
			const char *ok = th_json_str(th_json_at(e, 4), NULL);

			if (i < th_json_len(list) && i < n && !strcmp(om, ours[i].module) && ol == ours[i].level &&
			    oline == ours[i].line && ocol == ours[i].col && !strcmp(ok, ours[i].kind))
				continue;
			if (!diff)
				printf("DIFF %s%s\n", file, src.has_errors ? " (tree-sitter found syntax errors)" : "");
			diff = 1;
			if (i < th_json_len(list))
				printf("  cpython %s %s level %ld at %ld:%ld\n", ok, om, ol, oline, ocol);
			if (i < n)
				printf("  thoth   %s %s level %ld at %ld:%ld\n", ours[i].kind, ours[i].module, ours[i].level,
				       ours[i].line, ours[i].col);
			if (diff++ > 6) {
				printf("  ...\n");
				break;
			}
		}
		bad += diff != 0;
next:
		th_arena_release(&a);
		th_json_free(root);
	}
	printf("%zu files, %zu imports compared; %zu files differ; %zu files CPython refused; %zu files with tree-sitter syntax errors\n",
	       files, imports, bad, refused, ts_errors);
	th_buf_release(&all);
	return bad ? 1 : 0;
}

const TSLanguage *tree_sitter_python(void);

/* The bare baseline: what any tree-sitter user does to parse the files. */
static int parse_only(int n, char **files)
{
	TSParser *ts = ts_parser_new();
	th_buf raw = TH_BUF_INIT, text = TH_BUF_INIT;
	th_pyenc_info info;
	int rc = 0;

	if (!ts || !ts_parser_set_language(ts, tree_sitter_python())) {
		fprintf(stderr, "src_imports: cannot load the grammar\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		TSTree *t;
		if (read_file(&raw, files[i]) || th_pyenc_decode(&text, &info, raw.ptr, raw.len, NULL)) {
			fprintf(stderr, "src_imports: %s: cannot read\n", files[i]);
			rc = 1;
			continue;
		}
		if ((t = ts_parser_parse_string(ts, NULL, text.ptr, (uint32_t)text.len)))
			ts_tree_delete(t);
	}
	th_buf_release(&raw);
	th_buf_release(&text);
	ts_parser_delete(ts);
	return rc;
}

int main(int argc, char **argv)
{
	th_pysource_parser *p;
	th_error err = TH_ERROR_INIT;
	int rc = 0, i = 1;

	if (argc > 1 && !strcmp(argv[1], "--parse-only"))
		return parse_only(argc - 2, argv + 2);
	if (th_pysource_parser_new(&p, &err)) {
		fprintf(stderr, "src_imports: %s\n", err.msg);
		return 2;
	}
	if (argc == 3 && !strcmp(argv[1], "--check")) {
		rc = check(p, argv[2]);
		th_pysource_parser_free(p);
		return rc;
	}
	for (; i < argc; i++) {
		th_arena a;
		entry *ours;
		size_t n;
		th_pysource src;
		th_pyenc_info info;
		th_buf line = TH_BUF_INIT;

		th_arena_init(&a, 1 << 16);
		if (analyze(p, argv[i], &a, &ours, &n, &src, &info) < 0) {
			rc = 1;
		} else {
			th_buf_puts(&line, "{\"file\": ", NULL);
			th_json_quote(&line, argv[i], strlen(argv[i]), NULL);
			th_buf_puts(&line, ", \"imports\": [", NULL);
			for (size_t k = 0; k < n; k++) {
				th_buf_puts(&line, k ? ", [" : "[", NULL);
				th_json_quote(&line, ours[k].module, strlen(ours[k].module), NULL);
				th_buf_printf(&line, NULL, ", %ld, %ld, %ld, \"%s\"]", ours[k].level, ours[k].line, ours[k].col,
					      ours[k].kind);
			}
			th_buf_printf(&line, NULL, "]%s}", src.has_errors ? ", \"errors\": true" : "");
			puts(line.ptr);
		}
		th_buf_release(&line);
		th_arena_release(&a);
	}
	th_pysource_parser_free(p);
	return rc;
}
