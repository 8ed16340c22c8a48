/*
 * --help and --version, answered by the front end itself (jnet-slirp4netns.c includes this after
 * its daemon-starting code): `jnet usernet --help`, word for word (netns-cli FrontEndHelpTest
 * compares the two). When the help changes, change it here too.
 */
static const char usernet_help[] =
	"Usage: jnet usernet [OPTION]... PID|PATH [TAPNAME]\n"
	"User-mode networking for unprivileged network namespaces (slirp4netns-compatible).\n"
	"\n"
	"-c, --configure          bring up the interface\n"
	"-e, --exit-fd=FD         specify the FD for terminating jnet usernet\n"
	"-r, --ready-fd=FD        specify the FD to write to when the network is configured\n"
	"-m, --mtu=MTU            specify MTU (default=1500, max=65521)\n"
	"-6, --enable-ipv6        enable IPv6 (prefix fd00::/64, gateway fd00::2, DNS fd00::3; SLAAC)\n"
	"--cidr6=PREFIX/64        specify the IPv6 prefix (default=fd00::/64; with -6)\n"
	"-a, --api-socket=PATH    specify API socket path\n"
	"--cidr=CIDR              specify network address CIDR (default=10.0.2.0/24)\n"
	"--disable-host-loopback  prohibit connecting to 127.0.0.1:* on the host namespace\n"
	"--netns-type=TYPE        specify network namespace type ([path|pid], default=pid)\n"
	"--userns-path=PATH       specify user namespace path\n"
	"--enable-sandbox         enable sandbox: minimal root, no capabilities (see below)\n"
	"--enable-seccomp         enable seccomp to limit syscalls (see below)\n"
	"--outbound-addr=IPv4     sets outbound ipv4 address to bound to\n"
	"--outbound-addr6=IPv6    sets outbound ipv6 address to bound to\n"
	"--disable-dns            disables 10.0.2.3 (or configured internal ip) to host dns redirect\n"
	"--macaddress=MAC         specify the MAC address of the TAP (only valid with -c)\n"
	"--resolv-conf=PATH       read the DNS forwarder's upstream servers from PATH (default=/etc/resolv.conf)\n"
	"--pcap=FILE              capture every frame of the tap, both directions, into FILE (pcap)\n"
	"--pcap-size=SIZE         stop capturing before FILE passes SIZE bytes (K, M, G; default=64M)\n"
	"-h, --help               show this help and exit\n"
	"-v, --version            show version and exit\n"
	"\n"
	"TAPNAME defaults to tap0. Without -c the tap is attached to as it is (created if missing).\n"
	"Exits 0 on SIGTERM, when the exit FD is closed, and when process PID is gone.\n"
	"\n"
	"One stack process per user: bin/slirp4netns is a small front end that opens the tap and\n"
	"  hands it to \"jnet usernetd\" (started on first use, exits 30 s after its last namespace\n"
	"  detached; it runs with no_new_privs and the seccomp filter below, whatever the flags).\n"
	"  If the daemon dies, the front end starts another and attaches the tap again: addresses\n"
	"  and routes stay, TCP connections open at that moment are lost, new ones work.\n"
	"  JNET_USERNET_STANDALONE=1 (or \"jnet usernet\") gives this namespace a process of its own.\n"
	"\n"
	"API socket (-a): slirp4netns's add_hostfwd, list_hostfwd, remove_hostfwd, and jnet's\n"
	"  list_connections and get_stats; \"jnet usernet top PATH\" shows them live.\n"
	"\n"
	"Signals: SIGUSR1 writes one line to stderr with the stack's counters and tables,\n"
	"  jnet usernet: stats {\"tcp_connections\":0,\"udp_flows\":0,...,\"fd_limit\":N} (JSON on one line).\n"
	"\n"
	"Sandbox (once the tap and netlink sockets are open):\n"
	"  --enable-seccomp  sets no_new_privs and installs a seccomp filter on every thread\n"
	"                    (TSYNC): mount, umount2, pivot_root, chroot, the new mount API,\n"
	"                    ptrace, process_vm_*, kexec_*, *_module, reboot, swapon/off, bpf,\n"
	"                    perf_event_open, setns, unshare, keyctl, add_key, request_key,\n"
	"                    userfaultfd, ... and other ABIs (x32, ia32) fail with EPERM\n"
	"  --enable-sandbox  the same, and drops every capability (ambient, bounding, effective,\n"
	"                    permitted, inheritable) of the threads that run jnet code (main,\n"
	"                    event loop); run as root, every thread switches to uid/gid 65534\n"
	"                    and only the event loop keeps CAP_NET_BIND_SERVICE (forwards);\n"
	"                    and first, as slirp4netns, a mount namespace pivoted into a minimal\n"
	"                    root: the JDK, jars, libraries and /etc read-only, /proc, a few /dev\n"
	"                    nodes, a private /tmp, and the API socket's and --pcap's directories\n"
	"                    (the process opens the tap, then re-runs itself there: same pid; not\n"
	"                    root: in a user namespace mapping only the caller, no capabilities)\n";

/*
 * Starts the daemon in the background, when none listens: podman and rootlesskit ask --help
 * just before they start the real command, so its JVM boots while they set up the container.
 * A detached child in its own session with stdio on /dev/null (podman reads --help's output to
 * its end); it takes the starters' turn, so the real command waits for this daemon. Errors are
 * the real command's to report.
 */
static void prestart(void)
{
	fflush(stdout);
	if (fork() != 0)
		return;
	int null = open("/dev/null", O_RDWR);
	if (setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(0);
	close_fds_from(3);
	paths();
	if (access(sock_path, F_OK) == 0)
		_exit(0); /* a daemon is there (or its stale socket: the real command deals with it) */
	int lock = take_turn(); /* held until this process exits */
	if (try_connect() < 0)
		start_daemon(lock);
	_exit(0);
}

/* --help and --version alone, answered here as `jnet usernet` answers them (no daemon round trip). */
static void answer_locally(const char *arg)
{
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		fputs(usernet_help, stdout);
		prestart();
		_exit(0);
	}
	if (strcmp(arg, "-v") == 0 || strcmp(arg, "--version") == 0) {
		fputs("jnet usernet version " JNET_VERSION "\n", stdout);
		fflush(stdout);
		_exit(0);
	}
}

/* JNET_USERNET_STANDALONE=1: exec `jnet usernet ARGS` (a JVM of its own, as before the daemon). */
static void standalone(int argc, char **argv)
{
	char jnet[PATH_MAX];
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args || !jnet_script(jnet, sizeof jnet))
		fail("cannot find ./jnet beside %s", argv[0]);
	args[0] = jnet;
	args[1] = "usernet";
	memcpy(args + 2, argv + 1, (size_t)(argc - 1) * sizeof *args);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(jnet, args);
	fail("exec %s: %s", jnet, strerror(errno));
}
