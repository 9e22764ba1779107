/*
 * gate_conflicts — `pip check` over what the target will hold: the image's
 * distributions with the locked versions replacing theirs. Every
 * requirement whose marker holds on the target must name a distribution
 * present at a version its specifier allows. Requirements of locked
 * packages come from the knowledge base's metadata (unknown: not judged).
 */
#ifndef TH_GATE_CONFLICTS_H
#define TH_GATE_CONFLICTS_H

#include "resolver/gate.h"

int th_gate_conflicts(th_gate_report *r, const th_gate_input *in, th_error *err);

#endif
