/* Unit tests of analyzer/importmap: import name -> distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "analyzer/importmap.h"

static const char *first(th_importmap *m, const char *module, th_importmap_via *via)
{
	th_importmap_hit h;

	assert_int_equal(th_importmap_lookup(m, module, &h, NULL), 0);
	assert_true(h.ndists >= 1);
	*via = h.via;
	return h.dists[0];
}

/* The built-in table loads, and answers the well-known differences. */
static void builtin_table(void **state)
{
	th_importmap *m;
	th_importmap_via via;
	th_importmap_hit h;

	assert_int_equal(th_importmap_new(&m, NULL), 0);
	assert_true(th_importmap_table_size(m) > 150);
	assert_string_equal(first(m, "PIL.Image", &via), "pillow");
	assert_int_equal(via, TH_IMPORTMAP_TABLE);
	assert_string_equal(first(m, "yaml", &via), "PyYAML");
	assert_string_equal(first(m, "sklearn.linear_model", &via), "scikit-learn");
	assert_string_equal(first(m, "bs4", &via), "beautifulsoup4");
	assert_string_equal(first(m, "cv2", &via), "opencv-python");
	/* The longest dotted key wins inside a shared namespace. */
	assert_string_equal(first(m, "google.protobuf.message", &via), "protobuf");
	assert_string_equal(first(m, "google.cloud.storage", &via), "google-cloud-storage");
	/* Alternatives, the usual build first. */
	assert_int_equal(th_importmap_lookup(m, "tensorflow.keras", &h, NULL), 0);
	assert_true(h.ndists >= 3);
	assert_string_equal(h.dists[0], "tensorflow");
	assert_string_equal(h.dists[1], "tensorflow-cpu");
	/* Not in the table: the name itself, a guess; the same answer twice (memo). */
	assert_string_equal(first(m, "requests.adapters", &via), "requests");
	assert_int_equal(via, TH_IMPORTMAP_GUESS);
	assert_string_equal(first(m, "requests.adapters", &via), "requests");
	/* "google" alone is no key: a guess, not protobuf. */
	assert_string_equal(first(m, "google", &via), "google");
	assert_int_equal(via, TH_IMPORTMAP_GUESS);
	assert_string_equal(th_importmap_via_name(TH_IMPORTMAP_KB), "knowledge base");
	/* Keys below a module: `from google.cloud import storage` looks further. */
	assert_int_equal(th_importmap_has_below(m, "google.cloud", NULL), 1);
	assert_int_equal(th_importmap_has_below(m, "google", NULL), 1);
	assert_int_equal(th_importmap_has_below(m, "google.cloud.storage", NULL), 0);
	assert_int_equal(th_importmap_has_below(m, "requests", NULL), 0);
	assert_int_equal(th_importmap_has_below(m, "googl", NULL), 0);
	th_importmap_free(m);
}

static void bad_tables(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "1x pkg\n", "t:1: '1x' is not a module path" },
		{ "ok\n", "t:1: 'ok' names no distribution" },
		{ "# c\nx. y\n", "t:2: 'x.' is not a module path" },
		{ "a b\na c\n", "t: 'a' is listed twice" },
		{ "a -b\n", "t:1: '-b' is not a distribution name" },
		{ "  # only comments\n\n\t\n", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		th_importmap *m;
		th_error err = TH_ERROR_INIT;

		assert_int_equal(th_importmap_new_empty(&m, NULL), 0);
		if (cases[i].why) {
			assert_int_equal(th_importmap_table_load(m, cases[i].text, strlen(cases[i].text), "t", &err),
					 TH_ERR_INVALID);
			assert_string_equal(err.msg, cases[i].why);
			assert_int_equal(th_importmap_table_size(m), 0);
		} else {
			assert_int_equal(th_importmap_table_load(m, cases[i].text, strlen(cases[i].text), "t", &err), 0);
		}
		th_importmap_free(m);
	}
}

/* An entry naming too many distributions is refused, naming the bound. */
static void too_many(void **state)
{
	th_buf text = TH_BUF_INIT;
	th_importmap *m;
	th_error err = TH_ERROR_INIT;

	th_buf_puts(&text, "x", NULL);
	for (int i = 0; i < 65; i++)
		th_buf_printf(&text, NULL, " d%d", i);
	assert_int_equal(th_importmap_new_empty(&m, NULL), 0);
	assert_int_equal(th_importmap_table_load(m, text.ptr, text.len, "t", &err), TH_ERR_LIMIT);
	assert_string_equal(err.msg, "t:1: more than 64 distributions");
	th_importmap_free(m);
	th_buf_release(&text);
}

static int kb_knows(void *ud, const char *normalized, bool *out, th_error *err)
{
	(*(int *)ud)++;
	*out = !strcmp(normalized, "kb-only");
	return 0;
}

/* installed > table > knowledge base > guess. */
static void precedence(void **state)
{
	static const char *const pil_tops[] = { "PIL" }, *const ns1[] = { "google" }, *const ns2[] = { "google" };
	th_importmap *m;
	th_importmap_via via;
	th_importmap_hit h;
	int calls = 0;

	assert_int_equal(th_importmap_new(&m, NULL), 0);
	th_importmap_set_kb(m, kb_knows, &calls);
	assert_string_equal(first(m, "kb_only.x", &via), "kb-only");
	assert_int_equal(via, TH_IMPORTMAP_KB);
	assert_string_equal(first(m, "yaml", &via), "PyYAML");
	assert_int_equal(via, TH_IMPORTMAP_TABLE);
	assert_int_equal(calls, 1);
	/* The image says Pillow-SIMD provides PIL. */
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "Pillow-SIMD", "9.0", pil_tops, 1, NULL, 0 },
						    NULL), 0);
	assert_string_equal(first(m, "PIL.Image", &via), "Pillow-SIMD");
	assert_int_equal(via, TH_IMPORTMAP_INSTALLED);
	/* Installed without top_level.txt: its own name still counts. */
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "Requests", "2", NULL, 0, NULL, 0 }, NULL),
			 0);
	assert_string_equal(first(m, "requests", &via), "Requests");
	assert_int_equal(via, TH_IMPORTMAP_INSTALLED);
	/* A shared namespace: the table's longer key picks among the installed. */
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "google-auth", "2", ns1, 1, NULL, 0 }, NULL),
			 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "protobuf", "4", ns2, 1, NULL, 0 }, NULL), 0);
	assert_int_equal(th_importmap_lookup(m, "google.protobuf", &h, NULL), 0);
	assert_int_equal(h.ndists, 1);
	assert_string_equal(h.dists[0], "protobuf");
	assert_int_equal(th_importmap_lookup(m, "google.other", &h, NULL), 0);
	assert_int_equal(h.ndists, 2);
	assert_int_equal(h.via, TH_IMPORTMAP_INSTALLED);
	assert_non_null(th_importmap_installed_get(m, "pillow_simd"));
	assert_null(th_importmap_installed_get(m, "pillow"));
	assert_int_equal(th_importmap_ninstalled(m), 4);
	th_importmap_free(m);
}

static void chains(void **state)
{
	static const char *const app_req[] = { "mid>=1", "opt; extra == 'x'", "!!bad" }, *const mid_req[] = { "leaf" },
				 *const opt_req[] = { "other" };
	const char *roots[] = { "App" };
	th_importmap *m;
	th_buf b = TH_BUF_INIT;
	bool found;

	assert_int_equal(th_importmap_new_empty(&m, NULL), 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "app", "1", NULL, 0, app_req, 3 }, NULL), 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "Mid", "1", NULL, 0, mid_req, 1 }, NULL), 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "leaf", "1", NULL, 0, NULL, 0 }, NULL), 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "opt", "1", NULL, 0, opt_req, 1 }, NULL), 0);
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "other", "1", NULL, 0, NULL, 0 }, NULL), 0);
	assert_int_equal(th_importmap_chain(m, roots, 1, "leaf", NULL, &b, &found, NULL), 0);
	assert_true(found);
	assert_string_equal(b.ptr, "app -> Mid -> leaf");
	/* Behind an extra nobody asked for: no chain. */
	assert_int_equal(th_importmap_chain(m, roots, 1, "other", NULL, &b, &found, NULL), 0);
	assert_false(found);
	/* A root is not its own chain; an unknown distribution has none. */
	assert_int_equal(th_importmap_chain(m, roots, 1, "app", NULL, &b, &found, NULL), 0);
	assert_false(found);
	assert_int_equal(th_importmap_chain(m, roots, 1, "nowhere", NULL, &b, &found, NULL), 0);
	assert_false(found);
	th_buf_release(&b);
	th_importmap_free(m);
}

static int kb_deps(void *ud, const char *normalized, const char *const **out, size_t *n, th_arena *a, th_error *err)
{
	static const char *const web[] = { "Helper_Lib", "never; extra == 'x'" }, *const helper[] = { "leaf" };

	(*(int *)ud)++;
	*out = !strcmp(normalized, "web") ? web : !strcmp(normalized, "helper-lib") ? helper : NULL;
	*n = !strcmp(normalized, "web") ? 2 : !strcmp(normalized, "helper-lib") ? 1 : 0;
	return 0;
}

static void kb_chains(void **state)
{
	const char *roots[] = { "Web" };
	th_importmap *m;
	th_buf b = TH_BUF_INIT;
	bool found;
	int calls = 0;

	assert_int_equal(th_importmap_new_empty(&m, NULL), 0);
	assert_int_equal(th_importmap_kb_chain(m, roots, 1, "leaf", NULL, &b, &found, NULL), 0);
	assert_false(found); /* no knowledge base */
	th_importmap_set_kb_deps(m, kb_deps, &calls, 100);
	assert_int_equal(th_importmap_kb_chain(m, roots, 1, "LEAF", NULL, &b, &found, NULL), 0);
	assert_true(found);
	assert_string_equal(b.ptr, "web -> helper-lib -> leaf");
	assert_int_equal(th_importmap_kb_chain(m, roots, 1, "never", NULL, &b, &found, NULL), 0);
	assert_false(found);
	/* Each project's dependencies are asked once. */
	assert_int_equal(th_importmap_kb_chain(m, roots, 1, "helper-lib", NULL, &b, &found, NULL), 0);
	assert_true(found);
	assert_string_equal(b.ptr, "web -> helper-lib");
	assert_int_equal(calls, 3);
	th_importmap_free(m);
	/* Past the bound, no chain. */
	assert_int_equal(th_importmap_new_empty(&m, NULL), 0);
	th_importmap_set_kb_deps(m, kb_deps, &calls, 2);
	assert_int_equal(th_importmap_kb_chain(m, roots, 1, "leaf", NULL, &b, &found, NULL), 0);
	assert_false(found);
	th_buf_release(&b);
	th_importmap_free(m);
}

/* The knowledge base's recorded import names: before the table, longest
 * dotted prefix first, every provider an alternative in the given order. */
static int kb_names(void *ud, const char *name, const char *canonical, const char *const **out, size_t *n,
		    th_arena *a, th_error *err)
{
	static const char *const yaml[] = { "pyyaml", "yaml-fork" }, *const proto[] = { "protobuf" },
				 *const google[] = { "protobuf" };
	(void)a, (void)err;
	(*(int *)ud)++;
	*n = 0;
	if (!strcmp(name, "yaml")) {
		assert_string_equal(canonical, "yaml");
		*out = yaml, *n = 2;
	} else if (!strcmp(name, "google.protobuf")) {
		assert_string_equal(canonical, "google-protobuf");
		*out = proto, *n = 1;
	} else if (!strcmp(name, "google")) {
		*out = google, *n = 1; /* what an image's RECORD names give for a namespace package */
	}
	return 0;
}

static void kb_names_step(void **state)
{
	th_importmap *m;
	th_importmap_hit h;
	th_importmap_via via;
	int calls = 0;
	(void)state;

	assert_int_equal(th_importmap_new(&m, NULL), 0);
	th_importmap_set_kb_names(m, kb_names, &calls);
	assert_int_equal(th_importmap_lookup(m, "yaml.loader", &h, NULL), 0);
	assert_int_equal(h.via, TH_IMPORTMAP_KB);
	assert_int_equal(h.ndists, 2);
	assert_string_equal(h.dists[0], "pyyaml");
	assert_string_equal(h.dists[1], "yaml-fork");
	assert_string_equal(h.key, "yaml");
	assert_string_equal(first(m, "google.protobuf.message", &via), "protobuf");
	assert_int_equal(via, TH_IMPORTMAP_KB);
	/* A shorter recorded name yields to a more specific table key. */
	assert_string_equal(first(m, "google.cloud.storage", &via), "google-cloud-storage");
	assert_int_equal(via, TH_IMPORTMAP_TABLE);
	/* Unknown to the knowledge base: the table answers. */
	assert_string_equal(first(m, "sklearn", &via), "scikit-learn");
	assert_int_equal(via, TH_IMPORTMAP_TABLE);
	/* Installed distributions still come first. */
	const char *tops[] = { "yaml" };
	assert_int_equal(th_importmap_add_installed(m, &(th_importmap_installed){ "ruamel-yaml-shim", "1", tops, 1, NULL, 0 },
						    NULL), 0);
	th_importmap_set_kb_names(m, kb_names, &calls); /* forget memoised answers */
	assert_string_equal(first(m, "yaml", &via), "ruamel-yaml-shim");
	assert_int_equal(via, TH_IMPORTMAP_INSTALLED);
	th_importmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_table),
		cmocka_unit_test(bad_tables),
		cmocka_unit_test(too_many),
		cmocka_unit_test(precedence),
		cmocka_unit_test(chains),
		cmocka_unit_test(kb_chains),
		cmocka_unit_test(kb_names_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
