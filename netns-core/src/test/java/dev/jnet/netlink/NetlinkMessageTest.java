package dev.jnet.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class NetlinkMessageTest {
    @Test
    void headerCarriesLengthTypeFlagsAndSequence() {
        NetlinkMessage m = new NetlinkMessage(90, 0, "test").putU8(0).align().attrU32(3, 42);
        ByteBuffer b = m.encode(7);
        assertThat(b.remaining()).isEqualTo(16 + 4 + 8);
        assertThat(b.getInt(0)).isEqualTo(28);
        assertThat(b.getShort(4)).isEqualTo((short) 90);
        assertThat(b.getShort(6)).isEqualTo(NetlinkMessage.NLM_F_REQUEST);
        assertThat(b.getInt(8)).isEqualTo(7);
        NetlinkAttributes a = new NetlinkAttributes(b, 20, b.limit());
        assertThat(a.u32(3, -1)).isEqualTo(42);
        assertThat(a.u32(4, -1)).isEqualTo(-1);
    }

    @Test
    void nestedAttributesAreFoundInside() {
        NetlinkMessage m = new NetlinkMessage(16, 0, "test");
        m.attrString(3, "veth0");
        int mark = m.beginNested(18);
        m.attrString(1, "veth");
        m.attrU16(2, 0xbeef);
        m.endNested(mark);
        m.attrU8(4, 200);
        ByteBuffer b = m.encode(1);
        NetlinkAttributes top = new NetlinkAttributes(b, 16, b.limit());
        assertThat(top.string(3)).isEqualTo("veth0");
        assertThat(top.u8(4, -1)).isEqualTo(200);
        NetlinkAttributes inner = top.nested(18);
        assertThat(inner.string(1)).isEqualTo("veth");
        assertThat(inner.u16(2, -1)).isEqualTo(0xbeef);
        assertThat(inner.has(3)).isFalse();
    }

    @Property
    void everyAttributeStartsAligned(@ForAll @StringLength(max = 40) String s, @ForAll @IntRange(max = 7) int extra) {
        NetlinkMessage m = new NetlinkMessage(16, 0, "test");
        m.attrString(1, s.replace('\0', 'x'));
        m.attrBytes(2, new byte[extra]);
        m.attrU32(3, 5);
        ByteBuffer b = m.encode(1);
        assertThat(b.limit() % 4).isZero();
        NetlinkAttributes a = new NetlinkAttributes(b, 16, b.limit());
        assertThat(a.string(1)).isEqualTo(s.replace('\0', 'x'));
        assertThat(a.bytes(2)).hasSize(extra);
        assertThat(a.u32(3, -1)).isEqualTo(5);
    }

    @Test
    void truncatedAttributeIsNotReadPastTheEnd() {
        ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
        b.putShort(0, (short) 200).putShort(2, (short) 1);
        assertThat(new NetlinkAttributes(b, 0, 8).find(1)).isEqualTo(-1);
    }
}
