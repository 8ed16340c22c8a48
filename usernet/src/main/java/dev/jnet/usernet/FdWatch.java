package dev.jnet.usernet;

import dev.jnet.linux.Fd;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

/**
 * Fires once when an fd becomes readable or hangs up, watched by the event loop's epoll: an
 * exit fd whose writer closed it (slirp4netns {@code --exit-fd}), or a pidfd whose process
 * exited. The watch owns the fd and closes it.
 */
final class FdWatch implements EpollIoHandle {
    private final Fd owned;
    private final FileDescriptor fd;
    private final Runnable onEvent;
    private IoRegistration registration;
    private boolean done;

    private FdWatch(Fd fd, Runnable onEvent) {
        this.owned = fd;
        this.fd = new FileDescriptor(fd.get());
        this.onEvent = onEvent;
    }

    /** Watches {@code fd} (taking it over, also on failure) on {@code loop}; blocks until registered. Not on the loop. */
    static FdWatch register(IoEventLoop loop, Fd fd, String what, Runnable onEvent) {
        FdWatch w = new FdWatch(fd, onEvent);
        try {
            w.registration = loop.register(w).syncUninterruptibly().getNow();
            // epoll always reports EPOLLHUP and EPOLLERR; EPOLLIN covers data and end of file
            loop.submit(() -> w.registration.submit(EpollIoOps.EPOLLIN)).syncUninterruptibly();
        } catch (RuntimeException e) {
            try {
                fd.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed); // e.g. EBADF: the fd was never open, which e already says
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new UsernetException(UsernetException.Kind.INVALID_ARGUMENT,
                    "cannot watch " + what + " with epoll: " + root.getMessage(), e);
        }
        return w;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        if (!done) {
            close();
            onEvent.run();
        }
    }

    /** Stops watching and closes the fd; on the loop. Idempotent. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        if (registration != null) {
            registration.cancel();
        }
        owned.close();
    }
}
