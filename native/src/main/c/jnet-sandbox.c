/*
 * jnet-sandbox: the pre-JVM stage of `jnet usernet --enable-sandbox`.
 *
 * A multithreaded JVM cannot get a mount namespace of its own (unshare(CLONE_NEWNS) and
 * pivot_root affect only the calling thread, or fail with EINVAL): this single-threaded
 * program makes one, builds a minimal root on a tmpfs, pivots into it and execs the command
 * (java again). Like jnet-helper it has no policy: the JVM computes what the root holds
 * (dev.jnet.linux.SandboxRoot) and passes it as steps, performed in order:
 *
 *   jnet-sandbox [--userns] [--keep-fd N]... [--chdir DIR] STEP... -- CMD [ARG]...
 *     --ro PATH       bind PATH (recursively) read-only at the same path
 *     --rw PATH       bind PATH (recursively) read-write
 *     --dev PATH      bind the device node PATH (nosuid, noexec)
 *     --proc PATH     bind PATH (a procfs) recursively, nosuid, nodev, noexec
 *     --tmpfs PATH    a fresh tmpfs (mode 1777, 64 MiB) at PATH
 *     --symlink TARGET LINK
 *
 * --userns (not root): first a user namespace mapping the caller's uid and gid to
 * themselves (setgroups denied), so the mounts are allowed and the command, exec'd as that
 * uid, keeps no capability. Every fd above 2 is closed on exec except the --keep-fd ones.
 * The sources are opened (O_PATH) before the new root's tmpfs covers /tmp, where it is built.
 * Errors: one line "jnet-sandbox: STEP: strerror (ERRNO)", exit 1; nothing stays behind (the
 * namespaces die with the process).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROOT "/tmp"
#define OLD ".old"
#define MAX_STEPS 256

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum kind { RO, RW, DEV, PROC, TMPFS, SYMLINK };

struct step {
    enum kind kind;
    const char *path;   /* where in the new root (and, for binds, the source) */
    const char *target; /* SYMLINK only */
    int fd;             /* binds: O_PATH fd of the source */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    fputs("jnet-sandbox: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    const char *name = strerrorname_np(e);
    fprintf(stderr, ": %s (%s)\n", strerror(e), name ? name : "?");
    exit(1);
}

static void usage(const char *why)
{
    fprintf(stderr, "jnet-sandbox: %s\n", why);
    exit(1);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s", path);
    }
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        die("write %s", path);
    }
    close(fd);
}

/* Maps the caller alone (uid and gid to themselves), as `unshare -U --map-user=$(id -u)`. */
static void enter_userns(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    char map[64];
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        die("unshare(CLONE_NEWUSER|CLONE_NEWNS)");
    }
    write_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    write_file("/proc/self/uid_map", map);
    snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    write_file("/proc/self/gid_map", map);
}

/* mkdir -p of ROOT + path (path absolute); the last component as a file when !dir. */
static void make_path(const char *path, int dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s%s", ROOT, path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        die("mkdir %s", path);
    }
    for (char *p = buf + strlen(ROOT) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
                die("mkdir %s", buf + strlen(ROOT));
            }
            *p = '/';
        }
    }
    if (dir) {
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
            die("mkdir %s", path);
        }
    } else {
        /* read-only: an existing file inside a read-only bind is fine */
        int fd = open(buf, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            die("create %s", path);
        }
        close(fd);
    }
}

/*
 * The flags a read-only remount of a bind mount must keep: in a user namespace the kernel
 * refuses (EPERM) to clear nosuid, nodev, noexec or the atime flags the source was mounted with.
 */
static unsigned long locked_flags(const char *where)
{
    struct statvfs s;
    unsigned long f = 0;
    if (statvfs(where, &s) < 0) {
        die("statvfs %s", where);
    }
    if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) f |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

/*
 * Read-only for the bind at `where` and every mount below it (a recursive bind of /etc carries
 * e.g. a resolv.conf bound over the file by `ip netns exec`; those stay writable otherwise).
 */
static void remount_ro_tree(const char *where, unsigned long extra)
{
    size_t n = strlen(where);
    char line[4096];
    FILE *mi = fopen("/proc/self/mountinfo", "re");
    if (mi == NULL) {
        die("open /proc/self/mountinfo");
    }
    while (fgets(line, sizeof(line), mi)) {
        char point[PATH_MAX];
        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." (octal escapes only for blanks: not in our paths) */
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1) {
            continue;
        }
        if (strncmp(point, where, n) != 0 || (point[n] != '\0' && point[n] != '/')) {
            continue;
        }
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | extra | locked_flags(point);
        if (mount(NULL, point, NULL, flags, NULL) < 0) {
            die("remount read-only %s", point + strlen(ROOT));
        }
    }
    fclose(mi);
}

static void bind(struct step *s)
{
    char dst[PATH_MAX], src[64];
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        die("stat %s", s->path);
    }
    make_path(s->path, S_ISDIR(st.st_mode));
    snprintf(dst, sizeof(dst), "%s%s", ROOT, s->path);
    snprintf(src, sizeof(src), "/proc/self/fd/%d", s->fd);
    unsigned long flags = MS_BIND | (s->kind == DEV ? 0 : MS_REC);
    if (mount(src, dst, NULL, flags, NULL) < 0) {
        die("bind %s", s->path);
    }
    switch (s->kind) {
    case RO:
        remount_ro_tree(dst, MS_NOSUID | MS_NODEV);
        break;
    case DEV:
        if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC | locked_flags(dst), NULL) < 0) {
            die("remount %s", s->path);
        }
        break;
    case PROC:
        if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC | locked_flags(dst),
                  NULL) < 0) {
            die("remount %s", s->path);
        }
        break;
    default:
        break;
    }
    close(s->fd);
}

int main(int argc, char **argv)
{
    static struct step steps[MAX_STEPS];
    int nsteps = 0, userns = 0, keep[16], nkeep = 0, i;
    const char *chdir_to = NULL;
    sigset_t all;

    /* the exec'ing JVM thread had signals blocked; the command starts clean */
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--userns") == 0) {
            userns = 1;
            continue;
        }
        if (i + 1 >= argc) {
            usage("an option without its argument");
        }
        if (nsteps == MAX_STEPS) {
            usage("too many steps");
        }
        struct step *s = &steps[nsteps];
        s->fd = -1;
        s->path = argv[i + 1];
        if (strcmp(a, "--keep-fd") == 0) {
            if (nkeep == (int)(sizeof(keep) / sizeof(keep[0]))) {
                usage("too many --keep-fd");
            }
            keep[nkeep++] = atoi(argv[++i]);
            continue;
        } else if (strcmp(a, "--chdir") == 0) {
            chdir_to = argv[++i];
            continue;
        } else if (strcmp(a, "--ro") == 0) {
            s->kind = RO;
        } else if (strcmp(a, "--rw") == 0) {
            s->kind = RW;
        } else if (strcmp(a, "--dev") == 0) {
            s->kind = DEV;
        } else if (strcmp(a, "--proc") == 0) {
            s->kind = PROC;
        } else if (strcmp(a, "--tmpfs") == 0) {
            s->kind = TMPFS;
        } else if (strcmp(a, "--symlink") == 0) {
            if (i + 2 >= argc) {
                usage("--symlink needs TARGET and LINK");
            }
            s->kind = SYMLINK;
            s->target = argv[i + 1];
            s->path = argv[i + 2];
            i++;
        } else {
            fprintf(stderr, "jnet-sandbox: unknown option %s\n", a);
            return 1;
        }
        if (s->path[0] != '/') {
            fprintf(stderr, "jnet-sandbox: %s: not an absolute path: %s\n", a, s->path);
            return 1;
        }
        i++;
        nsteps++;
    }
    if (i + 1 >= argc) {
        usage("no command after --");
    }
    char **command = argv + i + 1;

    /* fds: only what the command is meant to inherit crosses the exec */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        die("close_range");
    }
    for (i = 0; i < nkeep; i++) {
        if (fcntl(keep[i], F_SETFD, 0) < 0) {
            die("keep fd %d", keep[i]);
        }
    }

    if (userns) {
        enter_userns();
    } else if (unshare(CLONE_NEWNS) < 0) {
        die("unshare(CLONE_NEWNS)");
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        die("make / private");
    }
    for (i = 0; i < nsteps; i++) {
        struct step *s = &steps[i];
        if (s->kind == RO || s->kind == RW || s->kind == DEV || s->kind == PROC) {
            s->fd = open(s->path, O_PATH | O_CLOEXEC);
            if (s->fd < 0) {
                die("open %s", s->path);
            }
        }
    }
    if (mount("tmpfs", ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0) {
        die("mount tmpfs on " ROOT);
    }
    for (i = 0; i < nsteps; i++) {
        struct step *s = &steps[i];
        char dst[PATH_MAX];
        switch (s->kind) {
        case TMPFS:
            make_path(s->path, 1);
            snprintf(dst, sizeof(dst), "%s%s", ROOT, s->path);
            if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") < 0) {
                die("mount tmpfs on %s", s->path);
            }
            break;
        case SYMLINK: {
            char *slash;
            snprintf(dst, sizeof(dst), "%s%s", ROOT, s->path);
            slash = strrchr(s->path, '/');
            if (slash != s->path) {
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%.*s", (int)(slash - s->path), s->path);
                make_path(parent, 1);
            }
            if (symlink(s->target, dst) < 0) {
                die("symlink %s", s->path);
            }
            break;
        }
        default:
            bind(s);
        }
    }

    if (chdir(ROOT) < 0) {
        die("chdir " ROOT);
    }
    if (mkdir(OLD, 0700) < 0) {
        die("mkdir /" OLD);
    }
    if (syscall(SYS_pivot_root, ".", OLD) < 0) {
        die("pivot_root");
    }
    if (chdir("/") < 0) {
        die("chdir /");
    }
    if (umount2("/" OLD, MNT_DETACH) < 0) {
        die("umount the old root");
    }
    if (rmdir("/" OLD) < 0) {
        die("rmdir /" OLD);
    }
    /* the root itself: nothing more is made in it */
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
        die("remount / read-only");
    }
    if (chdir_to != NULL && chdir(chdir_to) < 0 && chdir("/") < 0) {
        die("chdir /");
    }
    execv(command[0], command);
    die("exec %s", command[0]);
}
