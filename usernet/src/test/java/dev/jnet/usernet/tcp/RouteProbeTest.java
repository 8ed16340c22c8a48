package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Memory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The route probe's sockaddr layout and its JNA binding; which errno routing gives for a
 * throw or unreachable route is proven against the kernel by the usernet integration tests.
 */
class RouteProbeTest {
    @Test
    void sockaddrInIsFamilyPortBigEndianThenTheAddress() throws Exception {
        Memory m = RouteProbe.sockaddr(InetAddress.getByName("192.0.2.1"), 0x1F90);
        assertEquals(16, m.size());
        byte[] b = m.getByteArray(0, 16);
        assertArrayEquals(new byte[] {2, 0, 0x1F, (byte) 0x90, (byte) 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}, b);
    }

    @Test
    void sockaddrIn6IsFamilyPortFlowInfoAddressScope() throws Exception {
        Memory m = RouteProbe.sockaddr(InetAddress.getByName("2001:db8::1"), 53);
        assertEquals(28, m.size());
        byte[] b = m.getByteArray(0, 28);
        assertArrayEquals(new byte[] {10, 0, 0, 53, 0, 0, 0, 0}, java.util.Arrays.copyOf(b, 8));
        assertArrayEquals(InetAddress.getByName("2001:db8::1").getAddress(), java.util.Arrays.copyOfRange(b, 8, 24));
        assertEquals(0, m.getInt(24));
    }

    @Test
    void aRoutedDestinationIsHostUnreachableNotNetUnreachable() {
        // loopback always has a route: the probe's connect succeeds, so only a host can be blamed
        assertEquals(TcpHostConnector.Failure.HOST_UNREACHABLE,
                RouteProbe.classify(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), null));
        assertEquals(TcpHostConnector.Failure.HOST_UNREACHABLE,
                RouteProbe.classify(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                        InetAddress.getLoopbackAddress()));
    }
}
