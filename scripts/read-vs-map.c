/* read-vs-map.c - how long reading a file costs against mapping it and
 * touching every page, the two ways a trace reader can get at a file that
 * is in the page cache (docs/design.md 3.10, fifth round: the 2019
 * reader's scan maps the file). Not part of vmspec; a measuring aid:
 *
 *   cc -O2 -o /tmp/read-vs-map scripts/read-vs-map.c
 *   /tmp/read-vs-map FILE [ROUNDS]
 *
 * Each round reads FILE whole with pread in 1 MiB pieces, then maps it
 * and reads one byte of every 4 KiB page, and prints both times. The
 * first round may also read the disk; quote the later ones. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		perror(argv[1]);
		return 1;
	}
	size_t size = (size_t)st.st_size, piece = 1 << 20;
	char *buf = malloc(piece);
	if (!buf)
		return 1;
	unsigned long sum = 0;	/* keeps the reads from being optimized out */
	for (int r = 0; r < rounds; r++) {
		double t0 = seconds();
		ssize_t n;
		for (off_t off = 0; (n = pread(fd, buf, piece, off)) > 0;
		     off += n)
			for (ssize_t i = 0; i < n; i += 4096)
				sum += (unsigned char)buf[i];
		double t1 = seconds();
		const char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (size_t i = 0; i < size; i += 4096)
			sum += (unsigned char)p[i];
		double t2 = seconds();
		munmap((void *)p, size);
		printf("round %d: read %.1f ms, map and touch %.1f ms "
		       "(%zu bytes)\n", r + 1, (t1 - t0) * 1e3,
		       (t2 - t1) * 1e3, size);
	}
	free(buf);
	close(fd);
	return sum == 42 ? 3 : 0;	/* never: uses sum */
}
