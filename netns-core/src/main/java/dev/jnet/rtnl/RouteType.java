package dev.jnet.rtnl;

/**
 * A route's type, rtmsg's {@code rtm_type} (RTN_* in linux/rtnetlink.h), with the keyword
 * iproute2 reads and prints for it.
 */
public enum RouteType {
    UNSPEC(0, "none"),
    UNICAST(1, "unicast"),
    LOCAL(2, "local"),
    BROADCAST(3, "broadcast"),
    ANYCAST(4, "anycast"),
    MULTICAST(5, "multicast"),
    BLACKHOLE(6, "blackhole"),
    UNREACHABLE(7, "unreachable"),
    PROHIBIT(8, "prohibit"),
    THROW(9, "throw"),
    NAT(10, "nat"),
    XRESOLVE(11, "xresolve");

    private final int code;
    private final String keyword;

    RouteType(int code, String keyword) {
        this.code = code;
        this.keyword = keyword;
    }

    /** The RTN_* value on the wire ({@link Route#type()}). */
    public int code() {
        return code;
    }

    /** iproute2's word for it ({@code unicast}, {@code local}, ...). */
    public String keyword() {
        return keyword;
    }

    /**
     * The type {@code keyword} names where {@code ip route add} reads one before the prefix
     * (unicast to nat: not "none", not "xresolve"), or null.
     */
    public static RouteType ofKeyword(String keyword) {
        for (RouteType t : values()) {
            if (t.code >= UNICAST.code && t.code <= NAT.code && t.keyword.equals(keyword)) {
                return t;
            }
        }
        return null;
    }

    /** The type with RTN_* value {@code code}, or null. */
    public static RouteType ofCode(int code) {
        for (RouteType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
