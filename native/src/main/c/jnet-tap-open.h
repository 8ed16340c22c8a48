/*
 * The tap in the target's namespaces: part of jnet-slirp4netns (included by jnet-slirp4netns.c;
 * one translation unit, one program). A child joins the namespaces (a process that joined a user
 * namespace cannot come back) and passes the fds back with SCM_RIGHTS.
 */
#include "jnet-tap-config.h"

static int same_userns(const char *path)
{
	struct stat a, b;
	return stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static void join(const char *path, int type, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("Cannot open %s namespace \"%s\": %s", what, path, strerror(errno));
	if (setns(fd, type) < 0)
		fail("setting the %s namespace \"%s\" failed: %s", what, path, strerror(errno));
	close(fd);
}

/*
 * Opens tap NAME in the namespaces; fds[0..n). With cfg the child configures it itself; else with
 * configure it also opens a NETLINK_ROUTE socket there for the daemon to configure it with.
 * Returns n; 0 when the child failed (it said why on stderr and exited 1); -1 with errno when
 * the step named in *failed did (nothing printed).
 */
static int try_open_in_target(const char *netns, const char *userns, const char *name, int configure,
			      const struct tap_config *cfg, int *fds, const char **failed)
{
	int sv[2];
	*failed = "socketpair";
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	*failed = "fork";
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		if (*userns && !same_userns(userns))
			join(userns, CLONE_NEWUSER, "user");
		join(netns, CLONE_NEWNET, "network");
		if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
			fail("invalid tap name \"%s\"", name);
		int out[2], n = 0;
		out[n] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (out[n] < 0)
			fail("open(\"/dev/net/tun\"): %s", strerror(errno));
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		/* vnet headers: the daemon turns checksum/segmentation offload on (TapOffload) */
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
		if (ioctl(out[n], TUNSETIFF, &ifr) < 0)
			fail("ioctl(TUNSETIFF) for \"%s\": %s", name, strerror(errno));
		n++;
		if (cfg)
			tap_configure(name, cfg);
		else if (configure) {
			out[n] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
			if (out[n] < 0)
				fail("socket(AF_NETLINK): %s", strerror(errno));
			n++;
		}
		send_msg(sv[1], "fds", 3, out, n);
		_exit(0);
	}
	close(sv[1]);
	char *f[MAX_FIELDS];
	int nfds = 0, status;
	int got = recv_fields(sv[0], f, fds, &nfds);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return got == 0 ? 0 : nfds;
}

/* As try_open_in_target; any failure ends this process (exit 1, one line on stderr). */
static int open_in_target(const char *netns, const char *userns, const char *name, int configure,
			  const struct tap_config *cfg, int *fds)
{
	const char *failed;
	int n = try_open_in_target(netns, userns, name, configure, cfg, fds, &failed);
	if (n < 0)
		fail("%s: %s", failed, strerror(errno));
	if (n == 0)
		_exit(1); /* the child said why */
	return n;
}

