/*
 * jnet-slirp4netns: slirp4netns's command line in front of `jnet usernetd`, the one stack
 * process per user that serves every namespace (see docs/design.md, "usernetd").
 *
 * Consumers (rootlesskit, podman, scripts) exec it as they exec slirp4netns. It has no option
 * parsing of its own: the daemon checks the command line with `jnet usernet`'s own code and
 * answers with the output and exit status (--help, bad input) or with what to open. Then this
 * program opens the tap (and, for -c, configures it) in a child that joins the target's user
 * and network namespaces, passes the fd on with SCM_RIGHTS, writes "1" to the -r fd once the
 * daemon serves the tap (its -a socket listening; the tap itself is opened ahead, while the
 * daemon reads the command line: jnet-tap-speculate.h), and lives as long as the namespace is served:
 * SIGTERM/SIGINT, the -e fd closing or the target ending detach it (exit 0); a namespace the
 * daemon closed exits 1 with its line; SIGUSR1 prints the stats line. When the daemon dies, it
 * starts a new one and attaches the tap again (TCP connections of the old daemon are lost).
 * `--jnet-rootless ARGS` is `jnet rootless ARGS` (jnet-rootless-mode.h); `--jnet-usernet-stage
 * CMD` opens a standalone `jnet usernet`'s tap before its JVM (jnet-usernet-stage.h). JNET_USERNET_STANDALONE=1
 * execs `jnet usernet ARGS` instead (one stack process for the namespace, as before the daemon).
 * bin/slirp4netns is a symlink to this program: no shell between the consumer and it (~0.7 ms).
 *
 * The daemon is started on first use, detached (own session, stdio on a log file, no inherited
 * fds), from the front end's own network namespace: DIR/usernetd-NETNS-BUILD.sock, where DIR is
 * $XDG_RUNTIME_DIR/jnet (else /tmp/jnet-UID), a 0700 directory of ours, and BUILD is
 * JNET_BUILD_ID (a hash of the sources, also in the daemon's jar): front ends and daemons of
 * other builds never meet. A daemon we start is told our BUILD and refuses another (we then
 * exit 1 saying so). An fcntl lock on DIR/usernetd-NETNS-BUILD.lock makes starters take turns; the daemon itself holds a flock on the
 * same file for its life, so there is exactly one, and removes the file when it exits (after
 * taking the starters' turn: whoever locked the file checks that the name still leads to it).
 * Its command is $JNET_USERNETD (split at blanks), else `../../jnet usernetd` beside this
 * program (the repository's layout). $JNET_JAVA_OPTS reaches the daemon a front end starts
 * (./jnet adds it; a java command line in $JNET_USERNETD gets it after "java"); a daemon
 * already running keeps its own.
 *
 * Exit status: that of `jnet usernet` (0, or 1 with one line on stderr).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef JNET_BUILD_ID
#error "JNET_BUILD_ID: the build's identity (build.sh passes it from build-id.sh's file)"
#endif

#define MAX_MSG (64 * 1024)
#define MAX_FIELDS 16
/* How long to keep trying to reach a daemon (start-up of a JVM included). */
#define CONNECT_TRIES 200
#define TRY_SLEEP_MS 50

static char *msg_buf;
static char **cmd_argv;
static int cmd_argc;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Who speaks in messages: "jnet usernet", or "jnet rootless" in that mode. */
static const char *prog = "jnet usernet";

/* Run before this process exits on failure: ends the tap child opened ahead (jnet-tap-speculate.h). */
static void spec_end(void);

static void fail(const char *fmt, ...)
{
	va_list ap;
	spec_end();
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- paths: where the daemon of this user and network namespace listens ---- */

static char dir[PATH_MAX - 64], sock_path[PATH_MAX], lock_path[PATH_MAX], log_path[PATH_MAX];

static void paths(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (xdg && xdg[0] == '/' && strlen(xdg) < sizeof dir - 8 && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(dir, sizeof dir, "%s/jnet", xdg);
	else
		snprintf(dir, sizeof dir, "/tmp/jnet-%u", (unsigned)geteuid());
	if (stat("/proc/self/ns/net", &st) < 0)
		fail("cannot tell this process's network namespace: %s", strerror(errno));
	unsigned long ns = (unsigned long)st.st_ino;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		fail("cannot make %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0)
		fail("cannot make %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 07777) != 0700)
		fail("%s must be a directory of uid %u with mode 0700", dir, (unsigned)geteuid());
	snprintf(sock_path, sizeof sock_path, "%s/usernetd-%lu-%s.sock", dir, ns, JNET_BUILD_ID);
	snprintf(lock_path, sizeof lock_path, "%s/usernetd-%lu-%s.lock", dir, ns, JNET_BUILD_ID);
	snprintf(log_path, sizeof log_path, "%s/usernetd-%lu-%s.log", dir, ns, JNET_BUILD_ID);
}

/* ---- messages: NUL-separated fields, one SOCK_SEQPACKET message each ---- */

/* Returns 0, or -1 when the daemon has gone (its answer, if any, is still there to read). */
static int send_msg(int sock, const char *data, size_t len, const int *fds, int nfds)
{
	struct iovec iov = {(void *)data, len};
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {0};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&control, 0, sizeof control);
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return -1;
		if (errno != EINTR)
			fail("sending to jnet usernetd: %s", strerror(errno));
	}
	return 0;
}

/* Receives one message into msg_buf and splits it; returns the field count, 0 at end of file. */
static int recv_fields(int sock, char **fields, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {msg_buf, MAX_MSG};
	struct msghdr msg = {0};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	ssize_t n;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (nfds)
		*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c && nfds; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), (size_t)count * sizeof(int));
			*nfds = count;
		}
	}
	if (n <= 0)
		return 0; /* end of file, or reset: the daemon is gone */
	msg_buf[n] = '\0';
	int count = 0;
	char *p = msg_buf;
	while (count < MAX_FIELDS) {
		fields[count++] = p;
		char *end = memchr(p, '\0', (size_t)(msg_buf + n - p));
		if (!end || end == msg_buf + n)
			break;
		p = end + 1;
	}
	return count;
}

/* "exit CODE STDOUT STDERR": what the command printed, and its status. */
static void exit_as_told(char **f, int n) __attribute__((noreturn));

static void exit_as_told(char **f, int n)
{
	spec_end();
	if (n > 2)
		fputs(f[2], stdout);
	const char *usernet = "jnet usernet: ";
	if (n > 3 && strcmp(prog, "jnet usernet") != 0 && strncmp(f[3], usernet, strlen(usernet)) == 0)
		fprintf(stderr, "%s: %s", prog, f[3] + strlen(usernet)); /* the same check, in our name */
	else if (n > 3)
		fputs(f[3], stderr);
	fflush(stdout);
	fflush(stderr);
	_exit(n > 1 ? atoi(f[1]) : 1);
}

/* ---- the daemon: reach it, or start it ---- */

static int try_connect(void)
{
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		fail("socket: %s", strerror(errno));
	struct sockaddr_un a = {0};
	a.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof a.sun_path)
		fail("%s: path too long for a unix socket", sock_path);
	strcpy(a.sun_path, sock_path);
	if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
		return s;
	close(s);
	return -1;
}

static void close_fds_from(int first)
{
	if (syscall(SYS_close_range, first, ~0U, 0) == 0)
		return;
	for (int fd = first; fd < 4096; fd++)
		close(fd);
}

/*
 * $JNET_JAVA_OPTS (split at blanks) after argv[0] when the daemon's command is a java command
 * line itself (as the integration tests start it): ./jnet adds them when it is the command.
 */
static void java_opts(char **argv, int *argc, int max)
{
	const char *opts = getenv("JNET_JAVA_OPTS");
	const char *base = strrchr(argv[0], '/');
	if (!opts || !*opts || strcmp(base ? base + 1 : argv[0], "java") != 0)
		return;
	char *copy = strdup(opts), *words[64];
	int n = 0;
	for (char *t = strtok(copy, " \t"); t && n < 64; t = strtok(NULL, " \t"))
		words[n++] = t;
	if (*argc + n > max)
		return;
	memmove(argv + 1 + n, argv + 1, (size_t)(*argc - 1) * sizeof *argv);
	memcpy(argv + 1, words, (size_t)n * sizeof *argv);
	*argc += n;
}

/* The repository's ./jnet: ../../jnet beside this program (native/target/), symlinks resolved. */
static int jnet_script(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	if (n < 0 || (size_t)n + 12 >= size)
		return 0;
	path[n] = '\0';
	strcpy(strrchr(path, '/'), "/../../jnet");
	return 1;
}

/*
 * Starts `jnet usernetd --build-id ID --notify-fd 3` detached: a grandchild in its own session,
 * not our child (it outlives us), with only stdio (a log file) and the notify pipe; waits until
 * it listens (returns 1) or has exited (returns 0: another daemon won, or it failed; see the log).
 * A daemon of another build answers "build ITS-ID" and exits: we exit 1 saying so (under the
 * starters' turn, lock_fd: the lock file of a daemon that never ran goes).
 */
static int start_daemon(int lock_fd)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		fail("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		int null = open("/dev/null", O_RDONLY);
		int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (null < 0 || log < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0 ||
		    dup2(pipefd[1], 3) < 0 || chdir("/") < 0)
			_exit(1);
		close_fds_from(4);
		const char *cmd = getenv("JNET_USERNETD");
		char dflt[PATH_MAX + 32];
		if (!cmd || !*cmd) {
			if (!jnet_script(dflt, sizeof dflt - 16))
				_exit(1);
			strcat(dflt, " usernetd");
			cmd = dflt;
		}
		char *copy = strdup(cmd), *argv[128];
		int argc = 0;
		for (char *t = strtok(copy, " \t"); t && argc < 60; t = strtok(NULL, " \t"))
			argv[argc++] = t;
		java_opts(argv, &argc, 120);
		argv[argc++] = "--build-id";
		argv[argc++] = JNET_BUILD_ID;
		argv[argc++] = "--notify-fd";
		argv[argc++] = "3";
		argv[argc] = NULL;
		execvp(argv[0], argv);
		fprintf(stderr, "jnet-slirp4netns: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	char said[80];
	ssize_t n;
	do {
		n = read(pipefd[0], said, sizeof said - 1);
	} while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	said[n > 0 ? n : 0] = '\0';
	if (n > 6 && strncmp(said, "build ", 6) == 0) {
		unlink(lock_path);
		close(lock_fd);
		fail("jnet usernetd is build %s, this front end build %s: they do not talk to each other "
		     "(rebuild both, or point JNET_USERNETD at this build's jnet)", said + 6, JNET_BUILD_ID);
	}
	return n == 1 && said[0] == '1';
}

/* Whether path names the file open at fd (a daemon on its way out removes its lock file). */
static int names(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * The starters' turn: an fcntl write lock on the daemon's lock file (the daemon's own life lock
 * there is a flock: Linux keeps the two kinds apart). Returns the locked fd.
 */
static int take_turn(void)
{
	for (;;) {
		int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lock < 0)
			fail("%s: %s", lock_path, strerror(errno));
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		while (fcntl(lock, F_SETLKW, &fl) < 0)
			if (errno != EINTR)
				fail("%s: %s", lock_path, strerror(errno));
		if (names(lock, lock_path))
			return lock;
		close(lock); /* removed by an exiting daemon meanwhile: lock the new one */
	}
}

/* A connection to this user's daemon, starting one (in the starters' turn) when none listens. */
static int connect_daemon(void)
{
	for (int i = 0; i < CONNECT_TRIES; i++) {
		int s = try_connect();
		if (s >= 0)
			return s;
		int lock = take_turn();
		s = try_connect(); /* another front end may have started it meanwhile */
		if (s < 0 && start_daemon(lock))
			s = try_connect();
		close(lock);
		if (s >= 0)
			return s;
		sleep_ms(TRY_SLEEP_MS); /* a daemon on its way out (idle exit) still holds its lock */
	}
	fail("cannot start jnet usernetd (socket %s; its log: %s)", sock_path, log_path);
}

#include "jnet-tap-open.h"
#include "jnet-usernet-stage.h"
#include "jnet-tap-speculate.h"

/*
 * Detaches: asks the daemon to stop serving the namespace and waits (at most 3 s) until it has
 * (its API socket removed, the tap closed), as slirp4netns is done when it exits.
 */
static void detach(int sock, int code) __attribute__((noreturn));

static void detach(int sock, int code)
{
	if (send_msg(sock, "detach", 6, NULL, 0) == 0) {
		struct pollfd p = {sock, POLLIN, 0};
		char *f[MAX_FIELDS];
		while (poll(&p, 1, 3000) > 0) {
			int n = recv_fields(sock, f, NULL, NULL);
			if (n == 0 || strcmp(f[0], "exit") == 0)
				break;
			if (strcmp(f[0], "say") == 0 && n > 1) /* e.g. the pcap's closing line */
				fprintf(stderr, "%s\n", f[1]);
		}
	}
	_exit(code);
}

/* ---- the conversation ---- */

static int tap_fd = -1, pid_fd = -1, ready_fd = -1, exit_fd = -1;
static int served;

static void check_fd(int fd, const char *what)
{
	struct stat st;
	char link[64], target[PATH_MAX];
	if (fcntl(fd, F_GETFD) < 0)
		fail("%s %d is not open", what, fd);
	if (strcmp(what, "exit-fd") == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
		fail("%s %d is a regular file (%s): it cannot signal the end", what, fd, target);
	}
}

/* Attaches (again, after the daemon died, with the tap we hold); returns the connection. */
static int attach(void)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	if (!served)
		spec_start(cwd); /* the tap opened while the daemon reads the command line */
	for (int round = 0; round < CONNECT_TRIES; round++) {
		int sock = connect_daemon();
		size_t len = 0;
		len += (size_t)snprintf(msg_buf + len, MAX_MSG - len, "attach%c%s%c%s", 0, served ? "AGAIN" : "NEW", 0, cwd);
		for (int i = 1; i < cmd_argc && len < MAX_MSG; i++)
			len += (size_t)snprintf(msg_buf + len, MAX_MSG - len, "%c%s", 0, cmd_argv[i]);
		if (len >= MAX_MSG)
			fail("command line too long");
		send_msg(sock, msg_buf, len, NULL, 0);
		char *f[MAX_FIELDS];
		int n = recv_fields(sock, f, NULL, NULL);
		if (n == 0) { /* the daemon went away meanwhile: try the next one */
			close(sock);
			sleep_ms(TRY_SLEEP_MS);
			continue;
		}
		if (strcmp(f[0], "exit") == 0)
			exit_as_told(f, n);
		if (strcmp(f[0], "open") != 0 || n < 8)
			fail("jnet usernetd answered \"%s\"", f[0]);
		int fds[2] = {tap_fd, -1}, nfds = 1;
		if (!served) {
			/* open pid|path TARGET USERNS TAP CONFIGURE READY-FD EXIT-FD [MTU TXQLEN MAC ADDR PREFIX BCAST GW] */
			char netns[2 * PATH_MAX + 2];
			ready_fd = atoi(f[6]);
			exit_fd = atoi(f[7]);
			if (ready_fd >= 0)
				check_fd(ready_fd, "ready-fd");
			if (exit_fd >= 0)
				check_fd(exit_fd, "exit-fd");
			char userns[PATH_MAX];
			snprintf(userns, sizeof userns, "%s", f[3]);
			if (strcmp(f[1], "pid") == 0) {
				long pid = atol(f[2]);
				pid_fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
				if (pid_fd < 0)
					fail("no process with PID %ld", pid);
				snprintf(netns, sizeof netns, "/proc/%ld/ns/net", pid);
				snprintf(userns, sizeof userns, "/proc/%ld/ns/user", pid);
			} else {
				snprintf(netns, sizeof netns, "%s%s%s", f[2][0] == '/' ? "" : cwd, f[2][0] == '/' ? "" : "/", f[2]);
			}
			/* a daemon that sends the values (after EXIT-FD) has the tap configured here */
			struct tap_config cfg;
			int configure = strcmp(f[5], "1") == 0, ours = configure && n >= 15 && tap_config_parse(f + 8, &cfg);
			nfds = spec_take(netns, userns, f[4], f, n, fds);
			if (nfds < 0)
				nfds = open_in_target(netns, userns, f[4], configure, ours ? &cfg : NULL, fds);
			tap_fd = fds[0];
		}
		send_msg(sock, "fds", 3, fds, nfds);
		if (nfds > 1)
			close(fds[1]); /* a route socket (an older daemon): it configures the tap with its copy */
		n = recv_fields(sock, f, NULL, NULL);
		if (n == 0) {
			close(sock);
			sleep_ms(TRY_SLEEP_MS);
			continue;
		}
		if (strcmp(f[0], "exit") == 0)
			exit_as_told(f, n);
		if (strcmp(f[0], "ready") != 0)
			fail("jnet usernetd answered \"%s\"", f[0]);
		if (n > 1 && f[1][0]) { /* what the command wrote to stderr so far, as a standalone one would */
			fputs(f[1], stderr);
			fflush(stderr);
		}
		if (!served && ready_fd >= 0) {
			if (write(ready_fd, "1", 1) != 1)
				fail("ready-fd %d: %s", ready_fd, strerror(errno));
			close(ready_fd);
		}
		served = 1;
		return sock;
	}
	fail("cannot attach to jnet usernetd (socket %s; its log: %s)", sock_path, log_path);
}

#include "jnet-rootless-mode.h"
#include "jnet-usernet-help.h"

int main(int argc, char **argv)
{
	cmd_argc = argc;
	cmd_argv = argv;
	msg_buf = malloc(MAX_MSG + 1);
	if (!msg_buf)
		fail("out of memory");
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0)
		fail("sigprocmask: %s", strerror(errno));
	int sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0)
		fail("signalfd: %s", strerror(errno));
	if (argc > 1 && strcmp(argv[1], "--jnet-usernet-stage") == 0)
		usernet_stage(argc, argv); /* ./jnet usernet: the tap first, then the JVM (jnet-usernet-stage.h) */
	int rootless = argc > 1 && strcmp(argv[1], "--jnet-rootless") == 0;
	if (rootless)
		prog = "jnet rootless";
	if (!rootless && getenv("JNET_USERNET_STANDALONE") && strcmp(getenv("JNET_USERNET_STANDALONE"), "1") == 0)
		standalone(argc, argv); /* one stack process for this namespace: jnet usernet ARGS */
	if (!rootless && argc == 2)
		answer_locally(argv[1]); /* --help, --version: no daemon round trip (jnet-usernet-help.h) */
	paths();
	if (rootless)
		rootless_main(argc, argv, sigfd);
	int sock = attach();
	for (;;) {
		struct pollfd p[4] = {{sock, POLLIN, 0}, {sigfd, POLLIN, 0}, {exit_fd, POLLIN, 0}, {pid_fd, POLLIN, 0}};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll: %s", strerror(errno));
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGUSR1)
					send_msg(sock, "stats", 5, NULL, 0);
				else
					detach(sock, 0);
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[64];
			ssize_t n = read(exit_fd, buf, sizeof buf);
			if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
				detach(sock, 0);
		}
		if (p[3].revents & POLLIN)
			detach(sock, 0); /* the target process ended */
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char *f[MAX_FIELDS];
			int n = recv_fields(sock, f, NULL, NULL);
			if (n == 0) {
				/* the daemon died: a new one serves the tap we hold (new TCP connections work) */
				close(sock);
				sock = attach();
			} else if (strcmp(f[0], "exit") == 0) {
				exit_as_told(f, n);
			} else if ((strcmp(f[0], "stats") == 0 || strcmp(f[0], "say") == 0) && n > 1) {
				fprintf(stderr, "%s\n", f[1]);
				fflush(stderr);
			}
		}
	}
}
