/*
 * The tap opened ahead (part of jnet-slirp4netns, included by jnet-slirp4netns.c): while the
 * daemon checks a new front end's command line (~2-4 ms of Java on a warm daemon), a child
 * already joins the target's namespaces and opens the tap its argv names, read as the daemon
 * reads it (stage_parse, jnet-usernet-stage.h). When the daemon's "open" names the same
 * namespaces and tap, the child is told to go on: it configures the tap (-c, with the values
 * the daemon checked) and the fd it sent is the one used; otherwise, or when the child could
 * not open it, it is ended and the tap is opened as before (open_in_target), so every message
 * and status stays the one that path gives.
 *
 * The child is silent until told to go (stderr on /dev/null: what fails then is tried again,
 * and reported, the usual way); after "go" it speaks as open_in_target's child does. A tap it
 * opened that is not used vanishes with it (not persistent): a refused command line leaves
 * nothing. The child is ended, by its pid, before this process exits in any way.
 *
 * Child <-> front end, on a SOCK_SEQPACKET pair:   "tap" [tap fd]    (opened; waits)
 *                                                  "go" CONFIGURE [MTU TXQLEN MAC ADDR PREFIX BCAST GW]
 *                                                  "done" [route socket] (configured, or the socket
 *                                                                       an older daemon configures with)
 * End of file from the front end: the child exits; from the child: it failed.
 */

static pid_t spec_pid = -1, spec_parent = -1;
static int spec_sock = -1, spec_tap = -1;
static char spec_netns[PATH_MAX], spec_userns[PATH_MAX], spec_name[IFNAMSIZ];

/* Ends the child (if any) and drops what it sent. */
static void spec_end(void)
{
	if (spec_pid <= 0 || getpid() != spec_parent)
		return;
	close(spec_sock);
	if (spec_tap >= 0)
		close(spec_tap);
	kill(spec_pid, SIGKILL);
	while (waitpid(spec_pid, NULL, 0) < 0 && errno == EINTR)
		;
	spec_pid = -1;
	spec_sock = spec_tap = -1;
}

static void spec_child(int sock) __attribute__((noreturn));

static void spec_child(int sock)
{
	int saved = fcntl(2, F_DUPFD_CLOEXEC, 3), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0 || dup2(null, 2) < 0)
		_exit(1);
	if (*spec_userns && !same_userns(spec_userns))
		join(spec_userns, CLONE_NEWUSER, "user");
	join(spec_netns, CLONE_NEWNET, "network");
	int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tap < 0)
		_exit(1);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR; /* as try_open_in_target */
	memcpy(ifr.ifr_name, spec_name, strlen(spec_name)); /* < IFNAMSIZ: spec_start checked */
	if (ioctl(tap, TUNSETIFF, &ifr) < 0 || send_msg(sock, "tap", 3, &tap, 1) < 0)
		_exit(1);
	char *f[MAX_FIELDS];
	int n = recv_fields(sock, f, NULL, NULL);
	if (n < 2 || strcmp(f[0], "go") != 0)
		_exit(0);
	dup2(saved, 2); /* from here on it speaks as open_in_target's child */
	struct tap_config cfg;
	int out = -1, nout = 0;
	if (strcmp(f[1], "1") == 0 && n >= 9 && tap_config_parse(f + 2, &cfg)) {
		tap_configure(spec_name, &cfg);
	} else if (strcmp(f[1], "1") == 0) {
		out = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (out < 0)
			fail("socket(AF_NETLINK): %s", strerror(errno));
		nout = 1;
	}
	send_msg(sock, "done", 4, &out, nout);
	_exit(0);
}

/* Starts the child for this process's command line, when it reads as usernet's (else nothing). */
static void spec_start(const char *cwd)
{
	struct stage_target t;
	if (!stage_parse(cmd_argv + 1, cmd_argc - 1, &t) || strlen(t.tap) == 0 || strlen(t.tap) >= IFNAMSIZ)
		return;
	snprintf(spec_name, sizeof spec_name, "%s", t.tap);
	if (!stage_paths(&t, cwd, spec_netns, spec_userns))
		return;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		spec_child(sv[1]);
	}
	close(sv[1]);
	spec_pid = pid;
	spec_parent = getpid();
	spec_sock = sv[0];
}

/*
 * The tap for the daemon's "open" (its fields f, n of them), when the child opened the same:
 * configured as told; fds as open_in_target fills them, their count returned. -1 when the
 * child is of no use (none, another tap or namespace, it failed): it is ended, and the caller
 * opens the tap the usual way. A failure after "go" ends this process as open_in_target does.
 */
static int spec_take(const char *netns, const char *userns, const char *name, char **f, int n, int *fds)
{
	if (spec_pid <= 0)
		return -1;
	if (strcmp(netns, spec_netns) != 0 || strcmp(userns, spec_userns) != 0 || strcmp(name, spec_name) != 0) {
		spec_end();
		return -1;
	}
	/* go CONFIGURE [the seven values after EXIT-FD] (f[5] is open's CONFIGURE), made before
	 * recv_fields reuses the buffer f points into */
	char go[1024];
	size_t len = (size_t)snprintf(go, sizeof go, "go%c%s", 0, f[5]);
	for (int i = 8; i < n && i < 15 && len < sizeof go; i++)
		len += (size_t)snprintf(go + len, sizeof go - len, "%c%s", 0, f[i]);
	if (len >= sizeof go) {
		spec_end();
		return -1;
	}
	char *r[MAX_FIELDS];
	int got = 0;
	if (recv_fields(spec_sock, r, &spec_tap, &got) == 0 || got != 1 || strcmp(r[0], "tap") != 0) {
		spec_end(); /* it could not open the tap: the usual way says why */
		return -1;
	}
	int extra[2] = {-1, -1}, nextra = 0;
	if (send_msg(spec_sock, go, len, NULL, 0) < 0 || recv_fields(spec_sock, r, extra, &nextra) == 0) {
		int status;
		close(spec_sock);
		while (waitpid(spec_pid, &status, 0) < 0 && errno == EINTR)
			;
		_exit(1); /* configuring failed: the child said why */
	}
	while (waitpid(spec_pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(spec_sock);
	fds[0] = spec_tap;
	if (nextra > 0)
		fds[1] = extra[0];
	spec_pid = -1;
	spec_sock = spec_tap = -1;
	return 1 + (nextra > 0);
}
