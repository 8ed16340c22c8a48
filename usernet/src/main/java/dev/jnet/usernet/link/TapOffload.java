package dev.jnet.usernet.link;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.wire.VirtioNetHeader;

/**
 * Checksum and segmentation offload on a tap opened with {@code IFF_VNET_HDR} (by jnet-helper's
 * {@code --pass-tap NAME vnet-hdr}, or by the usernetd front end): TUNSETOFFLOAD with
 * TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 makes the guest's kernel hand over TCP super-packets
 * up to 64 KiB with partial checksums, and take ours the same way (see {@link TapLink}). No
 * UFO/USO: UDP stays in MTU-sized datagrams (or IP fragments). Whatever opened the tap, the fd
 * says whether it carries vnet headers (TUNGETIFF), so every path that hands usernet a tap
 * (standalone, sandboxed re-exec, daemon) is covered by one call.
 */
public final class TapOffload {
    /** Whether {@code jnet usernet} asks for offloads (system property {@code jnet.usernet.offload}, default true). */
    public static final String PROPERTY = "jnet.usernet.offload";

    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETVNETHDRSZ = 0x800454d7L;
    static final int IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    private static final int IFREQ_LEN = 40;
    private static final int IFR_FLAGS = 16;

    private TapOffload() {
    }

    /** Whether taps should be opened with vnet headers and offloads ({@link #PROPERTY}). */
    public static boolean wanted() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /** The interface name of tap {@code fd} (TUNGETIFF); empty for an fd that is no tun/tap. */
    public static java.util.Optional<String> interfaceName(Fd tap) {
        Memory ifr = new Memory(IFREQ_LEN);
        ifr.clear();
        try {
            Syscalls.ioctl(tap.get(), TUNGETIFF, ifr, "TUNGETIFF");
        } catch (SyscallException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(ifr.getString(0, "US-ASCII"));
    }

    /**
     * For a tap with {@code IFF_VNET_HDR}: turns the offloads on (unless {@link #wanted()} says
     * no: the header stays, describing whole frames) and returns the header length its frames
     * carry; 0 for a tap without (or an fd that is no tap at all, e.g. a socket pair in tests).
     *
     * @throws SyscallException when the tap refuses the offloads or its header size is unknown
     */
    public static int enable(Fd tap) {
        Memory ifr = new Memory(IFREQ_LEN);
        ifr.clear();
        try {
            Syscalls.ioctl(tap.get(), TUNGETIFF, ifr, "TUNGETIFF");
        } catch (SyscallException e) {
            return 0; // not a tun/tap fd
        }
        if ((ifr.getShort(IFR_FLAGS) & IFF_VNET_HDR) == 0) {
            return 0;
        }
        Memory size = new Memory(4);
        Syscalls.ioctl(tap.get(), TUNGETVNETHDRSZ, size, "TUNGETVNETHDRSZ");
        int length = size.getInt(0);
        if (length != VirtioNetHeader.LENGTH && length != VirtioNetHeader.LENGTH_MRG_RXBUF) {
            throw new IllegalStateException("tap vnet header of " + length + " bytes: jnet reads 10 or 12");
        }
        if (wanted()) {
            Syscalls.ioctl(tap.get(), TUNSETOFFLOAD, Pointer.createConstant(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6),
                    "TUNSETOFFLOAD");
        }
        return length;
    }
}
