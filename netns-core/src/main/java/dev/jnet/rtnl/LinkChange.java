package dev.jnet.rtnl;

/**
 * Changes {@link RtnlHandle#setLink} applies to one link, as {@code ip link set} does; unset
 * fields are null. {@code master} is a link name; {@link #NO_MASTER} releases it.
 */
public record LinkChange(Boolean up, Integer mtu, byte[] address, String newName, String master, NetnsTarget netns,
        Integer txqlen) {
    /** Value of {@code master} that detaches the link from its master ({@code nomaster}). */
    public static final String NO_MASTER = "";

    public static LinkChange none() {
        return new LinkChange(null, null, null, null, null, null, null);
    }

    public LinkChange withUp(boolean v) {
        return new LinkChange(v, mtu, address, newName, master, netns, txqlen);
    }

    public LinkChange withMtu(int v) {
        return new LinkChange(up, v, address, newName, master, netns, txqlen);
    }

    public LinkChange withAddress(byte[] v) {
        return new LinkChange(up, mtu, v, newName, master, netns, txqlen);
    }

    public LinkChange withName(String v) {
        return new LinkChange(up, mtu, address, v, master, netns, txqlen);
    }

    public LinkChange withMaster(String v) {
        return new LinkChange(up, mtu, address, newName, v, netns, txqlen);
    }

    public LinkChange withNetns(NetnsTarget v) {
        return new LinkChange(up, mtu, address, newName, master, v, txqlen);
    }

    public LinkChange withTxqlen(int v) {
        return new LinkChange(up, mtu, address, newName, master, netns, v);
    }
}
