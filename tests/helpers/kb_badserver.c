/*
 * kb_badserver — a deliberately broken HTTP server for the knowledge-base
 * tests: on 127.0.0.1 (a free port, printed on stdout), it answers every
 * request with a 200 whose body is cut short of its Content-Length, then
 * closes the connection. It serves until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
				    "<html><a href=\"x/\">x</a>";
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
		if (read(c, req, sizeof(req)) > 0 && write(c, reply, sizeof(reply) - 1) < 0)
			perror("kb_badserver");
		close(c);
	}
}
