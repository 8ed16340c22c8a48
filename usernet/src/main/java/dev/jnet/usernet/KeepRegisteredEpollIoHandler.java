package dev.jnet.usernet;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's {@link EpollIoHandler} with its registrations kept in the epoll set while their
 * interest set is empty. Netty 4.2.18 deletes an fd from epoll when its interest set becomes
 * empty ({@code EPOLL_CTL_DEL}) but still treats it as added, so the next interest is an
 * {@code EPOLL_CTL_MOD} that fails with ENOENT. For a host socket whose peer half-closed first
 * (input shut down: no EPOLLIN, no EPOLLRDHUP) that next interest is EPOLLOUT when the socket
 * buffer fills: Netty then shuts the output down and fails every queued write, so the host
 * gets a FIN early and the guest a reset. Here an empty interest set becomes an edge-triggered
 * registration without events instead: a hung-up socket reports EPOLLHUP once per state change,
 * it cannot spin the loop, and the next interest is a plain modification again.
 *
 * <p>Netty hands its own registration to {@code IoHandle.handle}; handles submit through the
 * one {@code register} returned (Netty's channels, TapLink, PingSocket and FdWatch all do).
 */
public final class KeepRegisteredEpollIoHandler implements IoHandler {
    private final IoHandler epoll;

    private KeepRegisteredEpollIoHandler(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** The factory for event loops ({@code new MultiThreadIoEventLoopGroup(n, newFactory())}). */
    public static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new KeepRegisteredEpollIoHandler(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(epoll.register(handle));
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Netty's registration, never asked for an empty interest set once the fd is in epoll. */
    private static final class Registration implements IoRegistration {
        private final IoRegistration epoll;
        /** Netty added the fd to epoll (it does so at the first non-empty interest set) */
        private boolean added;
        /** the fd sits in epoll without events: another empty interest set changes nothing */
        private boolean parked;

        Registration(IoRegistration epoll) {
            this.epoll = epoll;
        }

        @Override
        public <T> T attachment() {
            return epoll.attachment();
        }

        @Override
        public synchronized long submit(IoOps ops) {
            boolean empty = ((EpollIoOps) ops).value() == EpollIoOps.NONE.value();
            if (empty && added) {
                if (parked) {
                    return 0; // a modification would report a standing EPOLLHUP once more
                }
                // stays registered: EPOLLERR and EPOLLHUP are implied, edge-triggered they fire once
                long result = epoll.submit(EpollIoOps.EPOLLET);
                parked = result != -1;
                return result == -1 ? -1 : 0;
            }
            long result = epoll.submit(ops);
            if (!empty && result != -1) { // -1: cancelled
                added = true;
                parked = false;
            }
            return result;
        }

        @Override
        public boolean isValid() {
            return epoll.isValid();
        }

        @Override
        public boolean cancel() {
            return epoll.cancel();
        }
    }
}
