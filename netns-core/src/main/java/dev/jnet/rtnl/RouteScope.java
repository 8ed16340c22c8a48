package dev.jnet.rtnl;

/**
 * The scopes of routes and addresses (RT_SCOPE_* in linux/rtnetlink.h): how far a destination
 * or an address reaches. Values between these are user-defined and valid too.
 */
public final class RouteScope {
    /** RT_SCOPE_UNIVERSE: everywhere ("global" for addresses). */
    public static final int UNIVERSE = 0;
    /** RT_SCOPE_SITE. */
    public static final int SITE = 200;
    /** RT_SCOPE_LINK: the attached link only. */
    public static final int LINK = 253;
    /** RT_SCOPE_HOST: this host only (local and nat routes, 127/8 addresses). */
    public static final int HOST = 254;
    /** RT_SCOPE_NOWHERE: no destination (what a route deletion matches any scope with). */
    public static final int NOWHERE = 255;

    private RouteScope() {}
}
