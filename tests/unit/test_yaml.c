/* Unit tests of core/yaml: the tree, PyYAML-style typing, positions, and
 * hostile input (depth, aliases, billion laughs, size, bad bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/yaml.h"

static th_yaml_node *parse(th_arena *a, const char *text, th_error *err, int *rc)
{
	th_yaml_opts o;
	th_yaml_node *n = NULL;

	th_yaml_opts_init(&o, NULL, "t.yaml");
	*rc = th_yaml_parse(&n, text, strlen(text), &o, a, err);
	return n;
}

static void tree_and_order(void **state)
{
	th_arena a;
	th_error err = TH_ERROR_INIT;
	int rc;

	th_arena_init(&a, 4096);
	th_yaml_node *r = parse(&a, "units:\n  wraps:\n  - name: x\n    b: 1\n  - [a, 'b', \"c\"]\nz: |\n  text\n", &err, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(th_yaml_typeof(r), TH_YAML_MAPPING);
	assert_int_equal(r->u.map.n, 2);
	assert_string_equal(r->u.map.pairs[0].key->u.str.ptr, "units");
	assert_string_equal(r->u.map.pairs[1].key->u.str.ptr, "z");
	th_yaml_node *w = th_yaml_get(th_yaml_get(r, "units"), "wraps");
	assert_int_equal(th_yaml_typeof(w), TH_YAML_SEQUENCE);
	assert_int_equal(w->u.seq.n, 2);
	assert_int_equal(w->u.seq.items[0]->line, 3);
	assert_int_equal(w->u.seq.items[0]->col, 5);
	assert_string_equal(th_yaml_str(th_yaml_get(w->u.seq.items[0], "name"), NULL), "x");
	assert_int_equal(th_yaml_get(w->u.seq.items[0], "b")->line, 4);
	assert_int_equal(w->u.seq.items[1]->u.seq.items[1]->style, TH_YAML_SINGLE);
	assert_int_equal(w->u.seq.items[1]->u.seq.items[2]->style, TH_YAML_DOUBLE);
	assert_string_equal(th_yaml_str(th_yaml_get(r, "z"), NULL), "text\n");
	assert_int_equal(th_yaml_get(r, "z")->style, TH_YAML_BLOCK);
	assert_null(th_yaml_get(r, "missing"));
	assert_null(th_yaml_get(NULL, "x"));
	assert_int_equal(th_yaml_typeof(NULL), TH_YAML_NONE);

	/* duplicate keys: the last wins, as PyYAML */
	r = parse(&a, "k: 1\nk: 2\n", &err, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(th_yaml_text(th_yaml_get(r, "k"), NULL), "2");
	/* empty stream: no document */
	r = parse(&a, "", &err, &rc);
	assert_int_equal(rc, 0);
	assert_null(r);
	r = parse(&a, "# only a comment\n", &err, &rc);
	assert_int_equal(rc, 0);
	assert_null(r);
	th_arena_release(&a);
}

static th_yaml_type type_of(th_arena *a, const char *value)
{
	char doc[256];
	th_error err = TH_ERROR_INIT;
	int rc;

	snprintf(doc, sizeof(doc), "v: %s\n", value);
	th_yaml_node *r = parse(a, doc, &err, &rc);
	assert_int_equal(rc, 0);
	return th_yaml_typeof(th_yaml_get(r, "v"));
}

static void pyyaml_typing(void **state)
{
	static const struct {
		const char *v;
		th_yaml_type t;
	} cases[] = {
		{ "", TH_YAML_NULL }, { "~", TH_YAML_NULL }, { "null", TH_YAML_NULL }, { "NULL", TH_YAML_NULL },
		{ "nULL", TH_YAML_STR }, { "'null'", TH_YAML_STR }, { "\"~\"", TH_YAML_STR },
		{ "true", TH_YAML_BOOL }, { "yes", TH_YAML_BOOL }, { "Off", TH_YAML_BOOL }, { "ON", TH_YAML_BOOL },
		{ "y", TH_YAML_STR }, { "tRUE", TH_YAML_STR }, { "'yes'", TH_YAML_STR },
		{ "35", TH_YAML_INT }, { "\"35\"", TH_YAML_STR }, { "-1_000", TH_YAML_INT }, { "0x1F", TH_YAML_INT },
		{ "0b101", TH_YAML_INT }, { "017", TH_YAML_INT }, { "08", TH_YAML_STR }, { "1:30", TH_YAML_INT },
		{ "0.2", TH_YAML_FLOAT }, { "1.", TH_YAML_FLOAT }, { ".5", TH_YAML_FLOAT }, { "1e5", TH_YAML_STR },
		{ "1.0e+5", TH_YAML_FLOAT }, { ".inf", TH_YAML_FLOAT }, { "-.INF", TH_YAML_FLOAT },
		{ ".NaN", TH_YAML_FLOAT }, { "1:30.5", TH_YAML_FLOAT },
		{ "==3.10", TH_YAML_STR }, { "3.10.1", TH_YAML_STR }, { "2021-01-01", TH_YAML_STR },
		{ "!!str 35", TH_YAML_STR }, { "!!int '7'", TH_YAML_INT }, { "! 35", TH_YAML_STR },
		{ "[a]", TH_YAML_SEQUENCE }, { "{a: b}", TH_YAML_MAPPING },
	};
	th_arena a;

	th_arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		th_yaml_type t = type_of(&a, cases[i].v);
		if (t != cases[i].t)
			fail_msg("%s: got %s, want %s", cases[i].v, th_yaml_type_name(t), th_yaml_type_name(cases[i].t));
	}
	th_arena_release(&a);
}

static void scalar_values(void **state)
{
	th_arena a;
	th_error err = TH_ERROR_INIT;
	int rc;
	bool b;
	int64_t i;
	double d;

	th_arena_init(&a, 4096);
	th_yaml_node *r = parse(&a, "a: yes\nb: 0x10\nc: -017\nd: 0.25\ne: 1:30\nf: 3\ng: text\nh: -.inf\n", &err, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(th_yaml_bool(th_yaml_get(r, "a"), &b), 0);
	assert_true(b);
	assert_int_equal(th_yaml_int(th_yaml_get(r, "b"), &i), 0);
	assert_int_equal(i, 16);
	assert_int_equal(th_yaml_int(th_yaml_get(r, "c"), &i), 0);
	assert_int_equal(i, -15);
	assert_int_equal(th_yaml_float(th_yaml_get(r, "d"), &d), 0);
	assert_true(d == 0.25);
	assert_int_equal(th_yaml_int(th_yaml_get(r, "e"), &i), 0);
	assert_int_equal(i, 90);
	assert_int_equal(th_yaml_float(th_yaml_get(r, "f"), &d), 0);
	assert_true(d == 3.0);
	assert_int_equal(th_yaml_float(th_yaml_get(r, "h"), &d), 0);
	assert_true(isinf(d) && d < 0);
	assert_int_equal(th_yaml_bool(th_yaml_get(r, "g"), &b), TH_ERR_INVALID);
	assert_int_equal(th_yaml_int(th_yaml_get(r, "g"), &i), TH_ERR_INVALID);
	assert_null(th_yaml_str(th_yaml_get(r, "f"), NULL));
	assert_string_equal(th_yaml_text(th_yaml_get(r, "f"), NULL), "3");
	th_arena_release(&a);
}

static void errors_name_position(void **state)
{
	th_arena a;
	th_error err = TH_ERROR_INIT;
	int rc;

	th_arena_init(&a, 4096);
	parse(&a, "a: 1\nb: [1, 2\n", &err, &rc);
	assert_int_equal(rc, TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "t.yaml:"));
	parse(&a, "a: 1\n---\nb: 2\n", &err, &rc);
	assert_int_equal(rc, TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "t.yaml:2:1: more than one document"));
	parse(&a, "a: !!python/object:os.system x\n", &err, &rc);
	assert_int_equal(rc, TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "t.yaml:1:4: unsupported tag"));
	parse(&a, "a: !!int abc\n", &err, &rc);
	assert_int_equal(rc, TH_ERR_INVALID);
	parse(&a, "a: \"\\xff\" \xff\xfe\n", &err, &rc);
	assert_int_equal(rc, TH_ERR_INVALID);
	th_arena_release(&a);
}

static void hostile_depth_size_aliases(void **state)
{
	th_arena a;
	th_error err = TH_ERROR_INIT;
	th_yaml_opts o;
	th_yaml_node *r;
	char *deep = malloc(100001);

	th_arena_init(&a, 4096);
	/* 100,000 nested flow sequences: refused at yaml_depth, no stack overflow */
	memset(deep, '[', 100000);
	deep[100000] = '\0';
	th_yaml_opts_init(&o, NULL, "deep.yaml");
	assert_int_equal(th_yaml_parse(&r, deep, strlen(deep), &o, &a, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "yaml_depth"));
	/* size */
	o.max_bytes = 10;
	assert_int_equal(th_yaml_parse(&r, "a: 12345678901\n", 15, &o, &a, &err), TH_ERR_LIMIT);
	th_yaml_opts_init(&o, NULL, "x.yaml");
	/* aliases refused by default */
	const char *al = "a: &x [1, 2]\nb: *x\n";
	assert_int_equal(th_yaml_parse(&r, al, strlen(al), &o, &a, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "aliases"));
	/* allowed: the alias is the same node */
	o.allow_aliases = true;
	assert_int_equal(th_yaml_parse(&r, al, strlen(al), &o, &a, &err), 0);
	assert_ptr_equal(th_yaml_get(r, "a"), th_yaml_get(r, "b"));
	/* billion laughs: refused by node count, quickly */
	const char *lol = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
			  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
	assert_int_equal(th_yaml_parse(&r, lol, strlen(lol), &o, &a, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "yaml_nodes"));
	/* a self-reference is an unknown anchor, not a cycle */
	const char *cyc = "a: &x [1, *x]\n";
	assert_int_equal(th_yaml_parse(&r, cyc, strlen(cyc), &o, &a, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "unknown anchor"));
	/* NUL inside the text is refused by libyaml, not truncated silently */
	assert_int_equal(th_yaml_parse(&r, "a: b\0c", 6, &o, &a, &err), TH_ERR_INVALID);
	free(deep);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tree_and_order),
		cmocka_unit_test(pyyaml_typing),
		cmocka_unit_test(scalar_values),
		cmocka_unit_test(errors_name_position),
		cmocka_unit_test(hostile_depth_size_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
