/*
 * jnet-helper: the few namespace operations a multithreaded JVM cannot do itself.
 *
 * unshare(CLONE_NEWUSER), setns(userns) and unshare(CLONE_NEWNS) fail with EINVAL in a
 * multithreaded process, so the JVM runs this single-threaded program instead.  It has no
 * policy: the JVM decides which steps to run, in which order, and the helper executes them,
 * checking every return value.  Steps run left to right, then exactly one final action.
 *
 * Steps:
 *   --userns PATH      setns() into the user namespace at PATH
 *   --netns PATH       setns() into the network namespace at PATH
 *   --unshare-user     new user namespace; the caller's uid/gid become 0 inside
 *   --unshare-user-unmapped
 *                      new user namespace whose id maps the parent writes (newuidmap needs our
 *                      pid): stop (SIGSTOP) until /proc/self/uid_map and gid_map are written
 *   --die-with-parent  SIGKILL when the parent dies (PR_SET_PDEATHSIG); kept across the exec
 *   --stop             stop (SIGSTOP) once: the parent's turn to work in our namespaces (e.g.
 *                      give them a configured tap) before the next step; SIGCONT goes on
 *   --unshare-net      new network namespace
 *   --unshare-mount    new mount namespace; nothing propagates back (mount --make-rslave /)
 *   --remount-sys      mount a sysfs describing the current netns on /sys (as `ip netns exec`)
 *   --bind SRC DST     bind-mount SRC on DST; on failure warn and go on (as `ip netns exec`)
 *
 * Final actions:
 *   --exec CMD [ARG...]  execvp CMD; the command's exit status is the helper's
 *   --hold               keep the namespaces alive in a detached process (new session, stdio
 *                        on /dev/null) until SIGTERM/SIGINT/SIGHUP.  Prints the holder's pid
 *                        once every step has succeeded, then waits for 'c' on stdin to commit;
 *                        EOF instead makes the holder exit (see hold_fork).
 *
 *   --pass-socket DOMAIN TYPE PROTOCOL
 *                        create a socket in the namespaces the steps entered, make this
 *                        process dumpable again (setns into a user namespace cleared it), print
 *                        the socket's fd number, and keep it open until stdin reaches EOF: the
 *                        caller, our parent, takes a copy with pidfd_getfd(2) meanwhile.
 *
 *   --pass-tap NAME [vnet-hdr]
 *                        open /dev/net/tun in the namespaces the steps entered (a tap belongs
 *                        to the netns /dev/net/tun was opened in), attach to or create tap NAME
 *                        (IFF_TAP|IFF_NO_PI, plus IFF_VNET_HDR with vnet-hdr), then print and
 *                        hold the fd as --pass-socket does. A name taken by a tap someone else
 *                        holds open is EBUSY.
 *
 * Exit status on a failed step: 125 ("could not set up"), with one line on stderr.
 * Exec failure: 126 (not executable) or 127 (not found), like a shell.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SETUP 125

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(EXIT_SETUP);
}

static void join_namespace(const char *path, int nstype, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("Cannot open %s namespace \"%s\": %s", what, path, strerror(errno));
	if (setns(fd, nstype) < 0)
		die("setting the %s namespace \"%s\" failed: %s", what, path, strerror(errno));
	close(fd);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	if (n < 0 || (size_t)n != len)
		die("write %s: %s", path, n < 0 ? strerror(errno) : "short write");
	if (close(fd) < 0)
		die("close %s: %s", path, strerror(errno));
}

static void unshare_user(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare(CLONE_NEWUSER) failed: %s", strerror(errno));
	/* An unprivileged process may map only its own ids, and gid_map needs setgroups denied. */
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
	write_file("/proc/self/gid_map", map);
}

/* Whether the parent has written our uid_map and gid_map (both start empty in a new userns). */
static int mapped(void)
{
	static const char *maps[] = {"/proc/self/uid_map", "/proc/self/gid_map"};
	for (int i = 0; i < 2; i++) {
		char c;
		int fd = open(maps[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("open %s: %s", maps[i], strerror(errno));
		ssize_t n = read(fd, &c, 1);
		close(fd);
		if (n < 0)
			die("read %s: %s", maps[i], strerror(errno));
		if (n == 0)
			return 0;
	}
	return 1;
}

/*
 * The parent learns of each stop with waitid(WSTOPPED), does its work, and sends SIGCONT.
 * A SIGCONT from anyone else before the maps are written only stops us again.
 */
static void unshare_user_unmapped(void)
{
	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare(CLONE_NEWUSER) failed: %s", strerror(errno));
	while (!mapped())
		raise(SIGSTOP);
}

static void die_with_parent(void)
{
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	/* The parent may have died before the prctl: then we are someone else's child already. */
	if (getppid() != parent)
		_exit(EXIT_SETUP);
}

static void unshare_mount(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare failed: %s", strerror(errno));
	/* Don't let any mounts propagate back to the parent. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		die("\"mount --make-rslave /\" failed: %s", strerror(errno));
}

static void remount_sys(void)
{
	unsigned long flags = 0;
	struct statvfs st;
	if (umount2("/sys", MNT_DETACH) < 0) {
		/* Could not unmount (none mounted, or locked): overlay it; a read-only
		 * instance cannot be shadowed by a read-write one. */
		if (statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY))
			flags = MS_RDONLY;
	}
	if (mount("sysfs", "/sys", "sysfs", flags, NULL) < 0)
		die("mount of /sys failed: %s", strerror(errno));
}

static void bind_mount(const char *src, const char *dst)
{
	if (mount(src, dst, "none", MS_BIND, NULL) < 0)
		fprintf(stderr, "Bind %s -> %s failed: %s\n", src, dst, strerror(errno));
}

static void run_exec(char **argv)
{
	execvp(argv[0], argv);
	int err = errno;
	fprintf(stderr, "exec of \"%s\" failed: %s\n", argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* Makes us dumpable again (setns into a user namespace cleared it), prints fd, holds it until EOF. */
static void pass_fd(int fd) __attribute__((noreturn));

static void pass_socket(const char *domain, const char *type, const char *protocol)
{
	int fd = socket(atoi(domain), atoi(type) | SOCK_CLOEXEC, atoi(protocol));
	if (fd < 0)
		die("socket(%s, %s, %s) failed: %s", domain, type, protocol, strerror(errno));
	pass_fd(fd);
}

static void pass_tap(const char *name, int vnet_hdr)
{
	struct ifreq ifr;
	if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
		die("invalid tap name \"%s\"", name);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open(\"/dev/net/tun\"): %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("ioctl(TUNSETIFF) for \"%s\": %s", name, strerror(errno));
	pass_fd(fd);
}

static void pass_fd(int fd)
{
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	if (printf("%d\n", fd) < 0 || fflush(stdout) == EOF)
		die("writing the fd number: %s", strerror(errno));
	char buf[64];
	ssize_t n;
	do {
		n = read(STDIN_FILENO, buf, sizeof buf);
	} while (n > 0 || (n < 0 && errno == EINTR));
	_exit(0);
}

static void redirect_stdio_to_null(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/null: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			die("dup2: %s", strerror(errno));
	if (fd > 2)
		close(fd);
}

/*
 * --hold is a two-phase commit so that no holder outlives a caller that died before
 * recording it.  The invoking process forks; the child (in its own session, so a terminal's
 * signals miss it) runs the steps, puts stdio on /dev/null and sends its pid over a socket
 * pair; the invoker prints the pid and waits for one byte on stdin: 'c' commits (the child
 * detaches and holds until SIGTERM), anything else or EOF aborts (the child exits).
 * hold_fork returns in the child with its end of the socket pair.
 */
static int hold_fork(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		if (setsid() < 0)
			die("setsid: %s", strerror(errno));
		return sv[1];
	}
	close(sv[1]);
	char buf[32];
	ssize_t n;
	do {
		n = read(sv[0], buf, sizeof buf - 1);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* The child failed a step and already said why on stderr. */
		int status;
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) != 0)
			_exit(WEXITSTATUS(status));
		_exit(EXIT_SETUP);
	}
	buf[n] = '\0';
	if (fputs(buf, stdout) == EOF || fflush(stdout) == EOF)
		_exit(EXIT_SETUP);
	char answer = 0;
	do {
		n = read(STDIN_FILENO, &answer, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1 || answer != 'c')
		_exit(EXIT_SETUP); /* closing sv[0] tells the child to go */
	if (write(sv[0], "c", 1) != 1)
		_exit(EXIT_SETUP);
	/* Wait until the child has read the byte, so closing our end cannot race it. */
	do {
		n = read(sv[0], buf, 1);
	} while (n < 0 && errno == EINTR);
	_exit(n == 0 ? 0 : EXIT_SETUP);
}

static void hold(int sock)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask: %s", strerror(errno));
	if (prctl(PR_SET_NAME, "jnet-holder", 0, 0, 0) < 0)
		die("prctl: %s", strerror(errno));
	if (chdir("/") < 0)
		die("chdir /: %s", strerror(errno));
	redirect_stdio_to_null();
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (write(sock, buf, (size_t)len) != len)
		_exit(EXIT_SETUP);
	char answer = 0;
	ssize_t n;
	do {
		n = read(sock, &answer, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1 || answer != 'c')
		_exit(0); /* the caller gave up: nothing to hold */
	close(sock);
	int sig;
	while (sigwait(&set, &sig) != 0)
		;
	_exit(0);
}

static void usage(void)
{
	die("usage: jnet-helper [--userns PATH] [--netns PATH] [--unshare-user] [--unshare-user-unmapped] "
	    "[--die-with-parent] [--stop] [--unshare-net] [--unshare-mount] [--remount-sys] [--bind SRC DST]... "
	    "(--exec CMD [ARG...] | --hold | --pass-socket DOMAIN TYPE PROTOCOL | --pass-tap NAME [vnet-hdr])");
}

int main(int argc, char **argv)
{
	int hold_sock = -1;
	/* --hold must fork before the steps so the namespaces belong to the holder. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--exec") == 0)
			break;
		if (strcmp(argv[i], "--hold") == 0) {
			if (i != argc - 1)
				usage();
			hold_sock = hold_fork();
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--userns") == 0 && i + 1 < argc) {
			join_namespace(argv[++i], CLONE_NEWUSER, "user");
		} else if (strcmp(a, "--netns") == 0 && i + 1 < argc) {
			join_namespace(argv[++i], CLONE_NEWNET, "network");
		} else if (strcmp(a, "--unshare-user") == 0) {
			unshare_user();
		} else if (strcmp(a, "--unshare-user-unmapped") == 0) {
			unshare_user_unmapped();
		} else if (strcmp(a, "--die-with-parent") == 0) {
			die_with_parent();
		} else if (strcmp(a, "--stop") == 0) {
			raise(SIGSTOP);
		} else if (strcmp(a, "--unshare-net") == 0) {
			if (unshare(CLONE_NEWNET) < 0)
				die("unshare(CLONE_NEWNET) failed: %s", strerror(errno));
		} else if (strcmp(a, "--unshare-mount") == 0) {
			unshare_mount();
		} else if (strcmp(a, "--remount-sys") == 0) {
			remount_sys();
		} else if (strcmp(a, "--bind") == 0 && i + 2 < argc) {
			bind_mount(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(a, "--pass-socket") == 0 && i + 3 == argc - 1) {
			pass_socket(argv[i + 1], argv[i + 2], argv[i + 3]);
		} else if (strcmp(a, "--pass-tap") == 0 && i + 1 == argc - 1) {
			pass_tap(argv[i + 1], 0);
		} else if (strcmp(a, "--pass-tap") == 0 && i + 2 == argc - 1 && strcmp(argv[i + 2], "vnet-hdr") == 0) {
			pass_tap(argv[i + 1], 1);
		} else if (strcmp(a, "--exec") == 0 && i + 1 < argc) {
			run_exec(&argv[i + 1]);
		} else if (strcmp(a, "--hold") == 0 && hold_sock >= 0) {
			hold(hold_sock);
		} else {
			usage();
		}
	}
	usage();
}
