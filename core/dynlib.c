/* dynlib — see dynlib.h. */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <string.h>

int th_dynlib_open(void **out, void *table, const char *soname, const char *what, const char *why,
		   const th_dynlib_sym *syms, size_t n, th_error *err)
{
	void *h;

	*out = NULL;
	/* RTLD_NOW: a missing symbol of the library itself shows here, once,
	 * not as a crash in the middle of a transfer. */
	if (!(h = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))) {
		const char *e = dlerror();
		return th_error_set(err, TH_ERR_UNSUPPORTED, "cannot load %s (%s), needed %s: %s", what, soname, why,
				    e ? e : "unknown reason");
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			dlclose(h);
			return th_error_set(err, TH_ERR_UNSUPPORTED, "cannot load %s (%s), needed %s: it has no %s", what,
					    soname, why, syms[i].name);
		}
		/* POSIX guarantees a function pointer and void * share a representation. */
		memcpy((char *)table + syms[i].offset, &p, sizeof(p));
	}
	*out = h;
	return 0;
}

void th_dynlib_close(void *handle)
{
	if (handle)
		dlclose(handle);
}
