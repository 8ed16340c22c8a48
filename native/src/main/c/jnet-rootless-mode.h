/*
 * `jnet rootless [OPTIONS] -- CMD` through jnet usernetd: part of jnet-slirp4netns (included by
 * jnet-slirp4netns.c after the daemon conversation it uses; one translation unit, one program).
 *
 * ./jnet execs `jnet-slirp4netns --jnet-rootless ARGS` (unless JNET_USERNET_STANDALONE=1), so a
 * rootless command costs a few milliseconds of C and an attach instead of a JVM start:
 *   1. jnet-helper (our stdio, our child) unshares a user namespace and stops; we write its id
 *      maps (the caller at 0, the /etc/subuid and /etc/subgid ranges from 1 through newuidmap
 *      and newgidmap when there are both, else the caller alone), as usernet's IdMapping does;
 *   2. it unshares the network and mount namespaces, mounts its own /sys and a resolv.conf
 *      naming the stack's DNS address (10.0.2.3) on /etc/resolv.conf, and stops again;
 *   3. we attach its tap0 to the daemon (`-c --mtu 65520 PID tap0`: configured), let it exec CMD;
 *   4. CMD's end ends the run: what it left running in its user namespace is killed, we detach
 *      and exit with CMD's status (128+N for signal N). SIGINT, SIGTERM and SIGHUP go to CMD.
 * Options this mode takes: -m/--mtu, -6/--ipv6, --disable-host-loopback. Any other (--publish,
 * --cidr, --pcap, --help, --version) or no CMD: the JVM's `jnet rootless` (standalone stack),
 * exec'd as $JNET_CLI (split at blanks; default ../../jnet beside this program) with
 * JNET_USERNET_STANDALONE=1. Failures: status 1 and one line, "jnet rootless: ...".
 */

static const char *cli_command(char *buf, size_t size)
{
	const char *cli = getenv("JNET_CLI");
	if (cli && *cli)
		return cli;
	ssize_t n = readlink("/proc/self/exe", buf, size - 16);
	if (n < 0)
		fail("cannot tell where this program is: %s", strerror(errno));
	buf[n] = '\0';
	*strrchr(buf, '/') = '\0';
	strcat(buf, "/../../jnet");
	return buf;
}

/* The JVM's jnet rootless, with every argument as given (its options, its messages). */
static void exec_jvm_rootless(int argc, char **argv) __attribute__((noreturn));

static void exec_jvm_rootless(int argc, char **argv)
{
	char buf[PATH_MAX + 16], *args[128];
	char *copy = strdup(cli_command(buf, sizeof buf));
	int n = 0;
	for (char *t = strtok(copy, " \t"); t && n < 60; t = strtok(NULL, " \t"))
		args[n++] = t;
	java_opts(args, &n, 80);
	args[n++] = "rootless";
	for (int i = 2; i < argc && n < 126; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	setenv("JNET_USERNET_STANDALONE", "1", 1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(args[0], args);
	fail("exec %s: %s", args[0], strerror(errno));
}

/* Runs TOOL PID EXTENTS... (newuidmap/newgidmap); fails with its last line. */
static void run_map_tool(const char *tool, pid_t pid, const char *extents)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "%s %d %s 2>&1 </dev/null", tool, (int)pid, extents);
	FILE *p = popen(cmd, "r");
	if (!p)
		fail("mapping the ids of the user namespace: %s: %s", tool, strerror(errno));
	char line[512] = "", last[512] = "";
	while (fgets(line, sizeof line, p))
		snprintf(last, sizeof last, "%s", line);
	int st = pclose(p);
	if (st != 0) {
		last[strcspn(last, "\n")] = '\0';
		fail("mapping the ids of the user namespace: %s", *last ? last : tool);
	}
}

/* "0 ID 1 1 START COUNT ..." from FILE's lines for the user (by name or uid); 0 when none. */
static int sub_extents(const char *file, const char *name, unsigned id, unsigned uid, char *out, size_t size)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	char line[256], uidstr[16];
	snprintf(uidstr, sizeof uidstr, "%u", uid);
	unsigned long next = 1;
	int found = 0;
	size_t len = (size_t)snprintf(out, size, "0 %u 1", id);
	while (fgets(line, sizeof line, f) && len < size - 64 && found < 64) {
		char who[128];
		unsigned long start, count;
		if (sscanf(line, "%127[^:]:%lu:%lu", who, &start, &count) != 3 || count == 0 ||
		    start + count > 0xFFFFFFFFUL || next + count > 0xFFFFFFFFUL)
			continue;
		if (strcmp(who, name) != 0 && strcmp(who, uidstr) != 0)
			continue;
		len += (size_t)snprintf(out + len, size - len, " %lu %lu %lu", next, start, count);
		next += count;
		found++;
	}
	fclose(f);
	return found;
}

static int executable(const char *path)
{
	return access(path, X_OK) == 0;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail("mapping the ids of the user namespace: %s: %s", path, strerror(errno));
	close(fd);
}

static void map_ids(pid_t pid)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	struct passwd *pw = getpwuid(uid);
	const char *name = pw ? pw->pw_name : "";
	char uids[2048], gids[2048], tool[2][32] = {"", ""};
	static const char *dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
	for (int t = 0; t < 2; t++)
		for (size_t d = 0; d < sizeof dirs / sizeof *dirs && !*tool[t]; d++) {
			snprintf(tool[t], sizeof tool[t], "%s/%s", dirs[d], t == 0 ? "newuidmap" : "newgidmap");
			if (!executable(tool[t]))
				*tool[t] = '\0';
		}
	if (*tool[0] && *tool[1] && sub_extents("/etc/subuid", name, uid, uid, uids, sizeof uids) > 0 &&
	    sub_extents("/etc/subgid", name, gid, uid, gids, sizeof gids) > 0) {
		run_map_tool(tool[1], pid, gids);
		run_map_tool(tool[0], pid, uids);
		return;
	}
	char path[64], line[64];
	if (uid != 0) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		write_file(path, "deny");
	}
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	snprintf(line, sizeof line, "0 %u 1\n", gid);
	write_file(path, line);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	snprintf(line, sizeof line, "0 %u 1\n", uid);
	write_file(path, line);
}

/* Waits until the child stops (1) or ends (0, *status its exit status as the run's). */
static int await_stop(pid_t child, int *status)
{
	int st;
	while (waitpid(child, &st, WUNTRACED) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	if (WIFSTOPPED(st))
		return 1;
	*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	return 0;
}

/* SIGKILLs every process of user namespace (dev, ino): what CMD left running. */
static void kill_leftovers(dev_t dev, ino_t ino)
{
	for (int round = 0; round < 5; round++) {
		int found = 0;
		DIR *d = opendir("/proc");
		if (!d)
			return;
		for (struct dirent *e; (e = readdir(d));) {
			char path[300];
			struct stat st;
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof path, "/proc/%s/ns/user", e->d_name);
			if (stat(path, &st) == 0 && st.st_ino == ino && st.st_dev == dev && kill(atoi(e->d_name), SIGKILL) == 0)
				found++;
		}
		closedir(d);
		if (!found)
			return;
		sleep_ms(10);
	}
}

static void rootless_main(int argc, char **argv, int sigfd) __attribute__((noreturn));

static void rootless_main(int argc, char **argv, int sigfd)
{
	static char *usernet[16] = {"jnet-slirp4netns", "-c", "--mtu", "65520"};
	int n = 4, i;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if ((strcmp(a, "-m") == 0 || strcmp(a, "--mtu") == 0) && i + 1 < argc)
			usernet[3] = argv[++i];
		else if (strncmp(a, "--mtu=", 6) == 0)
			usernet[3] = argv[i] + 6;
		else if ((strcmp(a, "-6") == 0 || strcmp(a, "--ipv6") == 0) && n < 10)
			usernet[n++] = "-6";
		else if ((strcmp(a, "--disable-host-loopback") == 0 || strcmp(a, "--no-host-loopback") == 0) && n < 10)
			usernet[n++] = "--disable-host-loopback";
		else
			exec_jvm_rootless(argc, argv); /* --publish, --cidr, --pcap, --help, ...: the JVM's */
	}
	if (i >= argc)
		exec_jvm_rootless(argc, argv); /* no CMD: its usage line */

	char resolv[PATH_MAX], helper[PATH_MAX];
	snprintf(resolv, sizeof resolv, "%s/rootless-XXXXXX.resolv.conf", dir);
	int rf = mkstemps(resolv, (int)strlen(".resolv.conf"));
	if (rf < 0 || fchmod(rf, 0644) < 0 || write(rf, "nameserver 10.0.2.3\n", 20) != 20)
		fail("writing the guest's resolv.conf %s: %s", resolv, strerror(errno));
	close(rf);
	const char *h = getenv("JNET_HELPER");
	if (h && *h) {
		snprintf(helper, sizeof helper, "%s", h);
	} else {
		ssize_t len = readlink("/proc/self/exe", helper, sizeof helper - 16);
		helper[len < 0 ? 0 : len] = '\0';
		strcpy(strrchr(helper, '/') ? strrchr(helper, '/') + 1 : helper, "jnet-helper");
	}
	char *line[256] = {helper, "--die-with-parent", "--unshare-user-unmapped", "--unshare-net", "--unshare-mount",
			   "--remount-sys", "--bind", resolv, "/etc/resolv.conf", "--stop", "--exec"};
	int m = 11;
	for (; i < argc && m < 255; i++)
		line[m++] = argv[i];
	line[m] = NULL;

	pid_t child = fork();
	if (child < 0)
		fail("fork: %s", strerror(errno));
	if (child == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(helper, line);
		fprintf(stderr, "jnet rootless: exec %s: %s\n", helper, strerror(errno));
		_exit(1);
	}
	int status = 1;
	if (!await_stop(child, &status)) {
		unlink(resolv);
		_exit(status > 128 ? status : 1); /* the helper said why */
	}
	map_ids(child);
	kill(child, SIGCONT);
	if (!await_stop(child, &status)) {
		unlink(resolv);
		_exit(status > 128 ? status : 1);
	}
	unlink(resolv); /* the child's /etc/resolv.conf keeps the content */
	char ns[64], pid[16];
	struct stat userns;
	snprintf(ns, sizeof ns, "/proc/%d/ns/user", (int)child);
	if (stat(ns, &userns) < 0)
		fail("%s: %s", ns, strerror(errno));
	snprintf(pid, sizeof pid, "%d", (int)child);
	usernet[n++] = pid;
	usernet[n++] = "tap0";
	usernet[n] = NULL;
	cmd_argv = usernet;
	cmd_argc = n;
	int sock = attach(); /* tap0 configured and served */
	kill(child, SIGCONT);
	for (;;) {
		struct pollfd p[3] = {{sock, POLLIN, 0}, {sigfd, POLLIN, 0}, {pid_fd, POLLIN, 0}};
		if (poll(p, 3, -1) < 0) {
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
					kill(child, (int)si.ssi_signo);
			}
		}
		if (p[2].revents & POLLIN) {
			await_stop(child, &status); /* it ended: no stop in the way any more */
			kill_leftovers(userns.st_dev, userns.st_ino);
			detach(sock, status);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char *f[MAX_FIELDS];
			int got = recv_fields(sock, f, NULL, NULL);
			if (got == 0) {
				close(sock);
				sock = attach(); /* a new daemon serves the tap we hold */
			} else if (strcmp(f[0], "exit") == 0) {
				kill(child, SIGKILL); /* the stack failed: CMD is offline, as when jnet rootless fails */
				kill_leftovers(userns.st_dev, userns.st_ino);
				exit_as_told(f, got);
			} else if ((strcmp(f[0], "stats") == 0 || strcmp(f[0], "say") == 0) && got > 1) {
				fprintf(stderr, "%s\n", f[1]);
				fflush(stderr);
			}
		}
	}
}
