/*
 * gate_gpu — the CUDA and cuDNN that locked frameworks need against what the
 * target carries. Needs come from the curated knowledge and from a version's
 * local label (torch 2.1.0+cu118 needs CUDA 11.8). What is carried: the
 * image's libcudart / libcudnn, and nvidia-* wheels in the lock or the image
 * (pip-installed PyTorch and TensorFlow bring their CUDA libraries that
 * way). The GPU driver belongs to the host: never judged here.
 */
#ifndef TH_GATE_GPU_H
#define TH_GATE_GPU_H

#include "resolver/gate.h"

int th_gate_gpu(th_gate_report *r, const th_gate_input *in, th_error *err);

#endif
