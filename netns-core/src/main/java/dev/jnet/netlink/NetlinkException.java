package dev.jnet.netlink;

import dev.jnet.linux.SyscallException;

/**
 * The kernel refused a netlink request. {@link #reason()} is the errno text, as iproute2
 * prints after "RTNETLINK answers: "; {@link #kernelMessage()} is the extended-ack text
 * when the kernel gave one.
 */
public class NetlinkException extends SyscallException {
    private static final long serialVersionUID = 1L;

    private final String kernelMessage;

    public NetlinkException(int errno, String request, String kernelMessage) {
        super(errno, "netlink", request);
        this.kernelMessage = kernelMessage;
    }

    /** The kernel's extended-ack message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
