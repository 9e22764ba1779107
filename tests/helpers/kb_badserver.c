/*
 * kb_badserver — a deliberately broken HTTP server for the knowledge-base
 * tests: on 127.0.0.1 (a free port, printed on stdout), it answers every
 * request with a 200 whose body is cut short of its Content-Length, then
 * closes the connection. With the argument "range" it answers every request
 * with a 206 whose Content-Range is not what a tail request asks for (the
 * first 22 bytes of a 4,096-byte file). It serves until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
				  "<html><a href=\"x/\">x</a>";
	static const char wrong_range[] = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-21/4096\r\n"
					  "Content-Length: 22\r\n\r\nPK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	const char *reply = argc > 1 && !strcmp(argv[1], "range") ? wrong_range : cut;
	size_t reply_len = reply == cut ? sizeof(cut) - 1 : sizeof(wrong_range) - 1;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		perror("kb_badserver");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		char req[4096];
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (read(c, req, sizeof(req)) > 0 && write(c, reply, reply_len) < 0)
			perror("kb_badserver");
		close(c);
	}
}
