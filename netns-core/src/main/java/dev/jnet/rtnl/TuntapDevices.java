package dev.jnet.rtnl;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import java.nio.charset.StandardCharsets;

/**
 * Persistent tun/tap devices through /dev/net/tun, as {@code ip tuntap add}: TUNSETIFF,
 * TUNSETOWNER/TUNSETGROUP, TUNSETPERSIST(1), close. The device appears in the network
 * namespace of the calling thread.
 */
public final class TuntapDevices {
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    /** Fail with EBUSY instead of attaching when the device already exists. */
    public static final int IFF_TUN_EXCL = 0x8000;
    // _IOW('T', n, int)
    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETPERSIST = 0x400454cbL;
    public static final long TUNSETOWNER = 0x400454ccL;
    public static final long TUNSETGROUP = 0x400454ceL;
    private static final int IFREQ_LEN = 40;

    private TuntapDevices() {}

    /** The 40-byte {@code struct ifreq} for TUNSETIFF: name[16], short flags. */
    public static byte[] ifreq(String name, boolean tap) {
        byte[] req = new byte[IFREQ_LEN];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, req, 0, Math.min(n.length, 15));
        int flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | IFF_TUN_EXCL;
        req[16] = (byte) flags; // little- or big-endian short: write natively below
        req[17] = (byte) (flags >>> 8);
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
            req[16] = (byte) (flags >>> 8);
            req[17] = (byte) flags;
        }
        return req;
    }

    /** Creates persistent device {@code name} in the calling thread's namespace. */
    public static void create(String name, boolean tap, int owner, int group) {
        try (Fd tun = Fd.open("/dev/net/tun", Syscalls.O_RDWR)) {
            Memory req = new Memory(IFREQ_LEN);
            byte[] bytes = ifreq(name, tap);
            req.write(0, bytes, 0, bytes.length);
            String what = (tap ? "tap " : "tun ") + name;
            Syscalls.ioctl(tun.get(), TUNSETIFF, req, "TUNSETIFF " + what);
            if (owner >= 0) {
                Syscalls.ioctl(tun.get(), TUNSETOWNER, Pointer.createConstant(owner), "TUNSETOWNER " + what);
            }
            if (group >= 0) {
                Syscalls.ioctl(tun.get(), TUNSETGROUP, Pointer.createConstant(group), "TUNSETGROUP " + what);
            }
            Syscalls.ioctl(tun.get(), TUNSETPERSIST, Pointer.createConstant(1), "TUNSETPERSIST " + what);
        }
    }
}
