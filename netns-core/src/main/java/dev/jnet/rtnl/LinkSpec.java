package dev.jnet.rtnl;

/**
 * What {@link RtnlHandle#addLink} creates. Optional settings are null/0 when unset.
 *
 * @param name the new link's name
 * @param kind its kind and kind-specific data
 * @param mtu MTU, or 0 for the kernel's default
 * @param address hardware address, or null
 * @param txqlen transmit queue length, or -1
 * @param netns create it directly in this namespace, or null for the handle's own
 */
public record LinkSpec(String name, LinkKind kind, int mtu, byte[] address, int txqlen, NetnsTarget netns) {
    public static LinkSpec of(String name, LinkKind kind) {
        return new LinkSpec(name, kind, 0, null, -1, null);
    }
}
