/*
 * kb_connect_proxy — a minimal HTTPS proxy for the knowledge-base proxy test
 * (tests/sh/kb_proxy.sh): it listens on 127.0.0.1 (a free port, printed on
 * stdout), accepts only "CONNECT 127.0.0.1:PORT" requests, appends each
 * request line to the log file named by argv[1] (the test's proof that the
 * client went through it), answers 200 and relays bytes both ways until
 * either side closes. One child process per connection; the whole proxy
 * exits on its own after 10 minutes in case the test dies without killing it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int relay(int a, int b)
{
	char buf[16384];
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };

	for (;;) {
		if (poll(p, 2, 60000) <= 0)
			return 1;
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(n - off));
				if (w <= 0)
					return 1;
				off += w;
			}
		}
	}
}

/* Reads the request head (up to the blank line) and tunnels. */
static int serve(int c, const char *log)
{
	char head[4096], host[64];
	size_t len = 0;
	int port = 0, u;
	struct sockaddr_in sa;
	FILE *f;

	while (len < sizeof(head) - 1 && !strstr(head, "\r\n\r\n")) {
		ssize_t n = read(c, head + len, sizeof(head) - 1 - len);
		if (n <= 0)
			return 1;
		len += (size_t)n;
		head[len] = '\0';
	}
	if (sscanf(head, "CONNECT %63[0-9.]:%d HTTP/1.", host, &port) != 2 || strcmp(host, "127.0.0.1") != 0 ||
	    port <= 0 || port > 65535) {
		static const char no[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
		return write(c, no, sizeof(no) - 1) < 0;
	}
	if ((f = fopen(log, "a"))) {
		fprintf(f, "%.*s\n", (int)strcspn(head, "\r\n"), head);
		fclose(f);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if ((u = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(u, (struct sockaddr *)&sa, sizeof(sa))) {
		static const char bad[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
		return write(c, bad, sizeof(bad) - 1) < 0;
	}
	{
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
		if (write(c, ok, sizeof(ok) - 1) < 0)
			return 1;
	}
	return relay(c, u);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: kb_connect_proxy LOGFILE\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	alarm(600);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 64) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		perror("kb_connect_proxy");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		pid_t pid;
		if (c < 0)
			continue;
		if ((pid = fork()) == 0) {
			close(s);
			alarm(120);
			_exit(serve(c, argv[1]));
		}
		close(c);
	}
}
