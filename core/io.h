/*
 * io — reading a file's bytes at an offset in full: pread retried on EINTR
 * and on short reads, which the kernel may return at any time.
 */
#ifndef TH_IO_H
#define TH_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads len bytes at offset off of fd into buf. Returns the bytes read:
 * len, or fewer when the file ends first; -1 with errno on a read error. */
ssize_t th_io_pread_all(int fd, void *buf, size_t len, uint64_t off);

#endif
