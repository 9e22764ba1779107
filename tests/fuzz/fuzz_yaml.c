/* Fuzz target: any bytes as a YAML document, with aliases allowed so the
 * expansion bound is exercised. It must never crash, hang or blow memory. */
#include <stddef.h>
#include <stdint.h>

#include "core/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const th_yaml_node *n, int depth)
{
	size_t total = 1;

	if (!n || depth > 200)
		return 0;
	if (n->kind == TH_YAML_SEQ)
		for (size_t i = 0; i < n->u.seq.n; i++)
			total += walk(n->u.seq.items[i], depth + 1);
	else if (n->kind == TH_YAML_MAP)
		for (size_t i = 0; i < n->u.map.n; i++)
			total += walk(n->u.map.pairs[i].key, depth + 1) + walk(n->u.map.pairs[i].value, depth + 1);
	else {
		bool b;
		int64_t v;
		double d;
		th_yaml_bool(n, &b);
		th_yaml_int(n, &v);
		th_yaml_float(n, &d);
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_yaml_opts o;
	th_yaml_node *root;

	th_arena_init(&a, 4096);
	th_yaml_opts_init(&o, NULL, "fuzz.yaml");
	o.allow_aliases = true;
	o.max_nodes = 20000; /* walking is then bounded too */
	if (!th_yaml_parse(&root, (const char *)data, size, &o, &a, NULL))
		walk(root, 0);
	th_arena_release(&a);
	return 0;
}
