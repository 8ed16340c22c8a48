/*
 * `jnet-slirp4netns --jnet-usernet-stage JAVA [JVM-OPTION]... dev.jnet.cli.Main usernet ARGS`:
 * the pre-JVM stage of a standalone `jnet usernet` (./jnet execs it instead of java; part of
 * jnet-slirp4netns, included by jnet-slirp4netns.c). A JVM takes ~0.2 s to reach the point
 * where it opens the guest's tap, slirp4netns a few ms: so this stage opens the tap first, in
 * the target's namespaces, as the front end does (jnet-tap-open.h: IFF_VNET_HDR, nothing
 * configured), and execs the command with -Djnet.usernet.tap=FD after JAVA; the JVM adopts
 * the fd (dev.jnet.usernet.guest.PreopenedTap) and configures the tap (-c) as before.
 *
 * No policy and no messages here: the JVM checks the command line and reports. The stage only
 * finds the target and the tap name the way picocli reads them (the option lists below are
 * UsernetCommand's; UsernetStageOptionsTest keeps them equal) and, whenever the command line is
 * anything it does not fully understand (unknown options, --help, argument files, `top`) or
 * opening fails for any reason (no such process, a namespace we may not enter, a bad or busy
 * tap name), it execs the command unchanged: the JVM then fails as it always did, with the
 * same line and status. When the JVM fails on a later check (a bad --mtu, say), the tap the
 * stage made goes with the process, as a tap the JVM had made would. With
 * -Djnet.usernet.offload=false among the JVM's options the tap is the JVM's to open (without
 * IFF_VNET_HDR: a tap with vnet headers gets super-packets from the stack).
 */

/* Options of `jnet usernet` that take a value (UsernetCommand and PcapOptions). */
static const char *const stage_valued[] = {"--exit-fd", "--ready-fd", "--mtu", "--cidr", "--netns-type",
					  "--userns-path", "--outbound-addr", "--outbound-addr6", "--macaddress",
					  "--target-type", "--resolv-conf", "--cidr6", "--api-socket", "--pcap",
					  "--pcap-size", NULL};
/* Its options without one (-h/--help, -v/--version excepted: the JVM answers those, no tap). */
static const char *const stage_flags[] = {"--configure", "--disable-host-loopback", "--no-host-loopback",
					 "--enable-sandbox", "--create-sandbox", "--enable-seccomp", "--disable-dns",
					 "--enable-ipv6", NULL};
/* The short ones: with a value, and without. */
static const char stage_short_valued[] = "erma";
static const char stage_short_flags[] = "c6";

struct stage_target {
	const char *target, *tap, *netns_type, *userns_path, *target_type;
};

static int stage_listed(const char *const *list, const char *word, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, word, len) == 0)
			return 1;
	return 0;
}

/* Records the value of option NAME (the ones the stage needs). */
static void stage_value(struct stage_target *t, const char *name, const char *value)
{
	if (strcmp(name, "--netns-type") == 0)
		t->netns_type = value;
	else if (strcmp(name, "--userns-path") == 0)
		t->userns_path = value;
	else if (strcmp(name, "--target-type") == 0)
		t->target_type = value;
}

/* Reads usernet's ARGS as picocli does; 0 for anything not understood (the JVM then decides). */
static int stage_parse(char **args, int n, struct stage_target *t)
{
	const char *pos[2];
	int npos = 0, options = 1;
	memset(t, 0, sizeof *t);
	for (int i = 0; i < n; i++) {
		const char *a = args[i];
		if (a[0] == '@')
			return 0; /* an argument file */
		if (options && strcmp(a, "--") == 0) {
			options = 0;
		} else if (options && strncmp(a, "--", 2) == 0) {
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);
			if (stage_listed(stage_valued, a, len)) {
				char name[32];
				if (!eq && i + 1 >= n)
					return 0;
				snprintf(name, sizeof name, "%.*s", (int)len, a);
				stage_value(t, name, eq ? eq + 1 : args[++i]);
			} else if (eq || !stage_listed(stage_flags, a, len)) {
				return 0;
			}
		} else if (options && a[0] == '-' && a[1]) {
			for (const char *c = a + 1; *c; c++) { /* a cluster: -c6, -cm1500 */
				if (strchr(stage_short_flags, *c))
					continue;
				if (!strchr(stage_short_valued, *c))
					return 0; /* -h, -v, or unknown */
				if (c[1] == '\0' && i + 1 >= n)
					return 0;
				if (c[1] == '\0')
					i++; /* -m 1500 (the value itself is the JVM's to check) */
				break;
			}
		} else {
			if (npos == 2)
				return 0;
			pos[npos++] = a;
		}
	}
	if (npos == 0 || strcmp(pos[0], "top") == 0 || (t->target_type && strcmp(t->target_type, "netns") != 0))
		return 0;
	t->target = pos[0];
	t->tap = npos > 1 ? pos[1] : "tap0";
	if (!t->netns_type)
		t->netns_type = "pid";
	return 1;
}

/* p as given (cwd NULL) or, when relative, under cwd as the daemon resolves it; 0 when it does not fit in size. */
static int stage_path(char *out, size_t size, const char *cwd, const char *p)
{
	int n = !cwd || p[0] == '/' ? snprintf(out, size, "%s", p) : snprintf(out, size, "%s/%s", cwd, p);
	return n >= 0 && (size_t)n < size;
}

/*
 * The namespace files of t's target (PATH_MAX each): /proc/PID/ns/{net,user} for a pid, else
 * the given paths (userns "" when none), relative ones under cwd unless it is NULL. 0 when the
 * target is of no use (no pid, an unknown type, a path too long).
 */
static int stage_paths(const struct stage_target *t, const char *cwd, char *netns, char *userns)
{
	if (strcmp(t->netns_type, "pid") == 0) {
		if (!*t->target || strspn(t->target, "0123456789") != strlen(t->target) || strlen(t->target) > 9)
			return 0;
		snprintf(netns, PATH_MAX, "/proc/%s/ns/net", t->target);
		snprintf(userns, PATH_MAX, "/proc/%s/ns/user", t->target);
		return 1;
	}
	if (strcmp(t->netns_type, "path") != 0 || !stage_path(netns, PATH_MAX, cwd, t->target))
		return 0;
	userns[0] = '\0';
	return !t->userns_path || stage_path(userns, PATH_MAX, cwd, t->userns_path);
}

/* The tap of usernet's ARGS, open in the target's namespaces; -1 when not (nothing printed). */
static int stage_open(char **args, int n)
{
	struct stage_target t;
	char netns[PATH_MAX], userns[PATH_MAX];
	if (!stage_parse(args, n, &t) || !stage_paths(&t, NULL, netns, userns))
		return -1;
	/* the child's line (the JVM will print its own), not ours */
	int saved = fcntl(2, F_DUPFD_CLOEXEC, 3), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0 || dup2(null, 2) < 0)
		return -1;
	int fds[2] = {-1, -1};
	const char *failed;
	int got = try_open_in_target(netns, userns, t.tap, 0, NULL, fds, &failed);
	dup2(saved, 2);
	close(saved);
	close(null);
	if (got <= 0)
		return -1;
	for (int i = 1; i < got; i++)
		close(fds[i]);
	/* for the JVM: across the exec (the JVM's own children get none of its fds) */
	if (fcntl(fds[0], F_SETFD, 0) < 0) {
		close(fds[0]);
		return -1;
	}
	return fds[0];
}

/* --jnet-usernet-stage CMD...: the tap first, then CMD (see above). */
static void usernet_stage(int argc, char **argv) __attribute__((noreturn));

static void usernet_stage(int argc, char **argv)
{
	char **cmd = argv + 2, prop[64];
	int ncmd = argc - 2, at = -1, tap = -1;
	if (ncmd < 1)
		fail("--jnet-usernet-stage: no command");
	int vnet_hdr = 1;
	for (int i = 1; i + 1 < ncmd && at < 0; i++) {
		if (strcmp(cmd[i], "dev.jnet.cli.Main") == 0 && strcmp(cmd[i + 1], "usernet") == 0)
			at = i + 2;
		else if (strncmp(cmd[i], "-Djnet.usernet.offload=", 23) == 0)
			vnet_hdr = strcasecmp(cmd[i] + 23, "false") != 0; /* TapOffload.wanted(): the last one */
	}
	if (at >= 0 && vnet_hdr) /* without offloads the JVM opens the tap without vnet headers */
		tap = stage_open(cmd + at, ncmd - at);
	char **args = calloc((size_t)ncmd + 2, sizeof *args);
	if (!args)
		fail("out of memory");
	int k = 0;
	args[k++] = cmd[0];
	if (tap >= 0) {
		snprintf(prop, sizeof prop, "-Djnet.usernet.tap=%d", tap);
		args[k++] = prop;
	}
	memcpy(args + k, cmd + 1, (size_t)(ncmd - 1) * sizeof *args);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(args[0], args);
	fail("exec %s: %s", args[0], strerror(errno));
}
