/*
 * gate_install — can the lock install on the target? The image has a Python; the
 * target Python is inside every locked package's Requires-Python (and the
 * lock's); each locked version has a wheel whose tags the target supports
 * (glibc or musl level, architecture, Python ABI), or an sdist (a warning:
 * it would be built on the image), or is already installed there at that
 * version; and the lock does not replace a distribution the OS package
 * manager owns. Files come from the lock when it lists them (pylock.toml,
 * uv.lock, poetry.lock), else from the knowledge base.
 */
#ifndef TH_GATE_INSTALL_H
#define TH_GATE_INSTALL_H

#include "resolver/gate.h"

int th_gate_install(th_gate_report *r, const th_gate_input *in, th_error *err);

#endif
