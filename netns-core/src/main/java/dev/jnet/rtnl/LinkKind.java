package dev.jnet.rtnl;

/** What kind of link to create (IFLA_INFO_KIND plus its IFLA_INFO_DATA). One type per kind. */
public sealed interface LinkKind {
    /** The kernel's kind name ("veth", "bridge", ...). */
    String kindName();

    /** A veth pair; the peer may be created directly in another namespace. */
    record Veth(String peerName, NetnsTarget peerNetns) implements LinkKind {
        public Veth(String peerName) {
            this(peerName, null);
        }

        @Override
        public String kindName() {
            return "veth";
        }
    }

    record Bridge() implements LinkKind {
        @Override
        public String kindName() {
            return "bridge";
        }
    }

    record Dummy() implements LinkKind {
        @Override
        public String kindName() {
            return "dummy";
        }
    }

    /** 802.1Q VLAN {@code id} (1-4094) on top of link {@code parent}. */
    record Vlan(String parent, int id) implements LinkKind {
        @Override
        public String kindName() {
            return "vlan";
        }
    }

    /** macvlan on top of {@code parent}; mode as ip-link(8) names it: private, vepa, bridge, passthru, source. */
    record Macvlan(String parent, String mode) implements LinkKind {
        @Override
        public String kindName() {
            return "macvlan";
        }
    }

    /**
     * A persistent tun or tap device (made through /dev/net/tun and TUNSETPERSIST, as
     * {@code ip tuntap add}); {@code owner}/{@code group} -1 for none.
     */
    record Tuntap(boolean tap, int owner, int group) implements LinkKind {
        @Override
        public String kindName() {
            return "tun";
        }
    }
}
