/* rules_probe RULES < QUERIES
 * Loads RULES (a directory or an archive) once, then for each line
 * "UNIT NAME VERSION [INDEX_URL]" on stdin prints "match" when the package
 * NAME==VERSION (from INDEX_URL) matches one of the unit's match entries (its
 * package_version, or any of its state.resolved_dependencies or group
 * packages), else "no match". For shell tests of Thoth's quirks. */
#include <stdio.h>
#include <string.h>

#include "analyzer/rules.h"

static bool any(const th_rule_pkg *p, size_t n, const char *name, const char *version, const char *index,
		th_arena *a)
{
	for (size_t i = 0; i < n; i++)
		if (th_rule_pkg_matches(&p[i], name, version, index, -1, a))
			return true;
	return false;
}

static const char *probe(const th_rules *r, char *line, th_arena *a)
{
	char *unit = strtok(line, " \t\n"), *name = strtok(NULL, " \t\n"), *version = strtok(NULL, " \t\n");
	char *index = strtok(NULL, " \t\n");
	const th_rule_unit *u = NULL;

	if (!unit || !name || !version)
		return "bad query";
	for (size_t i = 0; i < r->n && !u; i++)
		if (!strcmp(r->units[i]->name, unit))
			u = r->units[i];
	if (!u)
		return "no such unit";
	for (size_t i = 0; i < u->nmatch; i++) {
		const th_rule_match *m = &u->match[i];
		if ((m->has_package_version && any(&m->package_version, 1, name, version, index, a)) ||
		    any(m->resolved, m->nresolved, name, version, index, a) || any(m->group, m->ngroup, name, version, index, a))
			return "match";
	}
	return "no match";
}

int main(int argc, char **argv)
{
	th_rules r;
	th_arena a;
	th_error err = TH_ERROR_INIT;
	char line[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: rules_probe RULES < QUERIES\n");
		return 2;
	}
	th_rules_init(&r, NULL);
	th_arena_init(&a, 4096);
	if (th_rules_load_path(&r, argv[1], &err)) {
		fprintf(stderr, "rules_probe: %s\n", err.msg);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin))
		printf("%s\n", probe(&r, line, &a));
	th_arena_release(&a);
	th_rules_release(&r);
	return 0;
}
