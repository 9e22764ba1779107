/* Unit tests of extractors/observations: the performance observations file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "extractors/observations.h"

typedef struct seen {
	char text[2048];
	size_t n;
} seen;

/* One line per credited pin: "name version metric value dir env...". */
static int collect(void *ud, size_t index, const th_obs *o, th_error *err)
{
	seen *s = ud;
	(void)err;
	for (size_t i = 0; i < o->ncredited; i++)
		snprintf(s->text + strlen(s->text), sizeof(s->text) - strlen(s->text),
			 "%zu %s %s %s %g %s%s py=%s arch=%s os=%s/%s cuda=%s cpu=%s stack=%zu\n", index,
			 o->credited[i].name, o->credited[i].version, o->metric, o->value,
			 o->higher_is_better ? "higher" : "lower", o->unit ? o->unit : "", o->python ? o->python : "-",
			 o->arch ? o->arch : "-", o->os_name ? o->os_name : "-", o->os_version ? o->os_version : "-",
			 o->cuda ? o->cuda : "-", o->cpu ? o->cpu : "-", o->nstack);
	s->n++;
	return 0;
}

static int parse(const char *json, seen *s, th_error *err)
{
	th_limits lim;
	th_limits_init(&lim);
	lim.observations = 3;
	memset(s, 0, sizeof(*s));
	return th_obs_parse(json, strlen(json), &lim, "obs.json", collect, s, err);
}

static void valid(void **state)
{
	seen s;
	(void)state;
	assert_int_equal(parse("{\"thoth_observations\": 1, \"observations\": ["
			       "{\"package\": {\"name\": \"NumPy\", \"version\": \"1.26.4\"}, \"metric\": \"gflops\", \"value\": 812.5,"
			       " \"unit\": \"GFLOPS\", \"higher_is_better\": true, \"future_key\": [1],"
			       " \"environment\": {\"python_version\": \"3.11\", \"platform\": \"linux-x86_64\","
			       " \"operating_system\": {\"name\": \"rhel\", \"version\": \"9\"}, \"cuda_version\": \"12.2\","
			       " \"hardware\": {\"cpu_family\": 6, \"cpu_model\": \"85\"}}},"
			       "{\"stack\": [{\"name\": \"a\", \"version\": \"1\"}, {\"name\": \"b\", \"version\": \"2.0\"}],"
			       " \"metric\": \"latency\", \"value\": 3, \"higher_is_better\": false},"
			       "{\"package\": {\"name\": \"b\", \"version\": \"2.0\"}, \"stack\": [{\"name\": \"a\", \"version\": \"1\"}],"
			       " \"metric\": \"m\", \"value\": -1, \"higher_is_better\": false, \"environment\": null}]}",
			       &s, NULL),
			 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.text,
			    "0 NumPy 1.26.4 gflops 812.5 higherGFLOPS py=3.11 arch=x86_64 os=rhel/9 cuda=12.2 cpu=family 6 model 85 stack=0\n"
			    "1 a 1 latency 3 lower py=- arch=- os=-/- cuda=- cpu=- stack=2\n"
			    "1 b 2.0 latency 3 lower py=- arch=- os=-/- cuda=- cpu=- stack=2\n"
			    "2 b 2.0 m -1 lower py=- arch=- os=-/- cuda=- cpu=- stack=1\n");
	assert_true(th_obs_sniff("{\n  \"thoth_observations\": 1", 26));
	assert_false(th_obs_sniff("{\"id\": \"PYSEC-1\"}", 17));
}

static void hostile(void **state)
{
	static const struct {
		const char *json, *msg;
		int rc;
	} bad[] = {
		{ "[]", "not an observations file", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 2, \"observations\": []}", "format version 2", TH_ERR_UNSUPPORTED },
		{ "{\"thoth_observations\": 1}", "not an array", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [1]}", "observations[0]: not an object", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"metric\": \"m\"}]}", "neither a package nor a stack", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"-x\", \"version\": \"1\"}}]}",
		  "not a valid project name", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"one\"}}]}",
		  "not a PEP 440 version", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"stack\": []}]}", "stack: not a non-empty array", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"value\": 1, \"higher_is_better\": true}]}", "no metric", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"metric\": \"m\", \"value\": \"fast\", \"higher_is_better\": true}]}", "value: not a finite number", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"metric\": \"m\", \"value\": 1}]}", "higher_is_better: not true or false", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"metric\": \"m\", \"value\": 1, \"higher_is_better\": true, \"environment\": {\"python_version\": \"three\"}}]}",
		  "python_version: 'three' is not X.Y[.Z]", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"metric\": \"m\", \"value\": 1, \"higher_is_better\": true, \"environment\": {\"operating_system\": 7}}]}",
		  "environment: not an object", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [{\"package\": {\"name\": \"x\", \"version\": \"1\"},"
		  " \"metric\": \"\", \"value\": 1, \"higher_is_better\": true}]}", "metric: not a non-empty string", TH_ERR_INVALID },
		{ "{\"thoth_observations\": 1, \"observations\": [1, 2, 3, 4]}", "more than the limit observations", TH_ERR_LIMIT },
		{ "{\"thoth_observations\": 1, \"observations\": [", "obs.json", TH_ERR_INVALID },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		th_error err = { 0 };
		seen s;
		int rc = parse(bad[i].json, &s, &err);
		if (rc != bad[i].rc || !strstr(err.msg, bad[i].msg) || strncmp(err.msg, "obs.json", 8))
			fail_msg("case %zu: rc %d, message '%s'", i, rc, err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
