package dev.jnet.cli.ip;

import dev.jnet.cli.Json;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RouteLookup;
import dev.jnet.rtnl.RouteScope;
import dev.jnet.rtnl.RouteType;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** {@code ip route}: add, replace, delete, show. */
final class IpRoute extends IpObject {
    /** What {@code route add|replace|delete} asks of the kernel. */
    enum Op {
        ADD, REPLACE, DELETE
    }

    /** The arguments of {@code route add|replace|delete}; -1 or null where not given. */
    private static final class Args {
        Parsers.Prefix dst;
        InetAddress gateway;
        String dev;
        long metric = -1;
        long table = -1;
        InetAddress src;
        int scope = -1;
        int protocol = -1;
        RouteType type;
    }

    IpRoute(RtnlSession session, String netns, IpCommands.Opts opts, PrintWriter out) {
        super(session, netns, opts, out);
    }

    @Override
    void command(String cmd, List<String> rest, IpCommands.Opts o) {
        switch (resolve(cmd, "route", "add", "replace", "delete", "list", "show", "lst", "get")) {
            case "add" -> modify(rest, o, Op.ADD);
            case "replace" -> modify(rest, o, Op.REPLACE);
            case "delete" -> modify(rest, o, Op.DELETE);
            case "get" -> get(rest, o);
            default -> show(rest, o);
        }
    }

    private void modify(List<String> a, IpCommands.Opts o, Op op) {
        Args args = parse(a, o.family());
        int family = o.family() != 0 ? o.family()
                : !args.dst.isDefault() ? args.dst.family() : args.gateway != null ? Parsers.familyOf(args.gateway) : 4;
        int af = family == 6 ? Route.AF_INET6 : Route.AF_INET;
        Route r = op == Op.DELETE ? deletion(args, af) : creation(args, af);
        r = withAttributes(r, args);
        switch (op) {
            case ADD -> h().addRoute(r);
            case REPLACE -> h().replaceRoute(r);
            case DELETE -> h().deleteRoute(r);
        }
    }

    /** ip route's arguments: [TYPE] PREFIX|default and the keywords jnet knows, in any order. */
    private static Args parse(List<String> a, int family) {
        Args r = new Args();
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            switch (t) {
                case "via" -> {
                    String g = next(a, ++i);
                    if (g.equals("inet") || g.equals("inet6")) {
                        g = next(a, ++i);
                    }
                    r.gateway = Parsers.address(g, knownFamily(family, r));
                }
                case "dev", "oif" -> r.dev = next(a, ++i);
                case "metric", "priority", "preference" -> {
                    String v = next(a, ++i);
                    r.metric = Parsers.unsigned(v, 0xffffffffL);
                    if (r.metric < 0) {
                        throw IpError.invargNl("\"metric\" value is invalid", v);
                    }
                }
                case "table" -> {
                    String v = next(a, ++i);
                    r.table = Parsers.table(v);
                    if (r.table < 0) {
                        throw IpError.invargNl("\"table\" value is invalid", v);
                    }
                }
                case "src" -> r.src = Parsers.address(next(a, ++i), knownFamily(family, r));
                case "scope" -> {
                    String v = next(a, ++i);
                    r.scope = Parsers.scope(v);
                    if (r.scope < 0) {
                        throw IpError.invarg("invalid \"scope\" value", v);
                    }
                }
                case "proto", "protocol" -> {
                    String v = next(a, ++i);
                    r.protocol = Parsers.protocol(v);
                    if (r.protocol < 0) {
                        throw IpError.invarg("\"protocol\" value is invalid", v);
                    }
                }
                default -> i = destination(a, i, family, r);
            }
        }
        if (r.dst == null) {
            throw new IpError("Error: \"to\" argument is required.", 1);
        }
        return r;
    }

    /** The family ip's rtm_family holds so far: -4/-6, else the destination's or the gateway's, else 0. */
    private static int knownFamily(int family, Args r) {
        if (family != 0) {
            return family;
        }
        if (r.dst != null && !r.dst.isDefault()) {
            return r.dst.family();
        }
        return r.gateway != null ? Parsers.familyOf(r.gateway) : 0;
    }

    /** [to] [TYPE] PREFIX at {@code a[i]}: sets the destination (and type); returns the index of its last word. */
    private static int destination(List<String> a, int i, int family, Args r) {
        String t = a.get(i);
        if (t.equals("to")) {
            t = next(a, ++i);
        }
        RouteType type = RouteType.ofKeyword(t);
        if (r.dst == null && type != null && i + 1 < a.size()) {
            r.type = type;
            t = a.get(++i);
        }
        if (r.dst != null) {
            throw IpError.duplicateOrGarbage("to", t);
        }
        r.dst = Parsers.prefix(t, family);
        return i;
    }

    /** The destination network (the prefix with its host bits cleared), null for default. */
    private static InetAddress network(Parsers.Prefix dst) {
        return dst.isDefault() ? null : Parsers.network(dst.address(), dst.length());
    }

    /**
     * What {@code route delete} matches: the main table, and protocol, scope and type only when
     * given (0, RT_SCOPE_NOWHERE and RTN_UNSPEC match any, as ip sends them).
     */
    private static Route deletion(Args args, int af) {
        return new Route(af, network(args.dst), args.dst.length(), null, 0, -1, Route.TABLE_MAIN, null,
                args.protocol < 0 ? 0 : args.protocol, args.scope < 0 ? RouteScope.NOWHERE : args.scope,
                (args.type == null ? RouteType.UNSPEC : args.type).code(), 0);
    }

    /** A route to add or replace: ip route add's defaults (main table, proto boot, unicast) and scope. */
    private static Route creation(Args args, int af) {
        RouteType type = args.type == null ? RouteType.UNICAST : args.type;
        int protocol = args.protocol < 0 ? Route.PROTO_BOOT : args.protocol;
        int scope = args.scope < 0 ? defaultScope(af, type, args.gateway != null) : args.scope;
        return new Route(af, network(args.dst), args.dst.length(), null, 0, -1, Route.TABLE_MAIN, null, protocol,
                scope, type.code(), 0);
    }

    /**
     * iproute2's scope for a new route given none: host for local and nat routes, link for
     * broadcast, multicast and anycast ones and for IPv4 unicast without a gateway, else
     * universe (always, for IPv6).
     */
    static int defaultScope(int af, RouteType type, boolean viaGateway) {
        if (af == Route.AF_INET6) {
            return RouteScope.UNIVERSE;
        }
        return switch (type) {
            case LOCAL, NAT -> RouteScope.HOST;
            case BROADCAST, MULTICAST, ANYCAST -> RouteScope.LINK;
            default -> viaGateway ? RouteScope.UNIVERSE : RouteScope.LINK;
        };
    }

    /** The optional attributes: gateway, output device, metric, table, preferred source. */
    private Route withAttributes(Route r, Args args) {
        if (args.gateway != null) {
            r = r.via(args.gateway);
        }
        if (args.dev != null) {
            r = r.dev(h().link(args.dev).ifindex());
        }
        if (args.metric >= 0) {
            r = r.metric((int) args.metric);
        }
        if (args.table >= 0) {
            r = r.table((int) args.table);
        }
        if (args.src != null) {
            r = r.src(args.src);
        }
        return r;
    }

    /** {@code route get ADDRESS [from ADDR] [iif DEV] [oif DEV]}: the kernel's lookup, printed as ip prints it. */
    private void get(List<String> a, IpCommands.Opts o) {
        IpRouteGet.Query q = IpRouteGet.parse(a, o.family(), line -> {
            out.flush();
            System.err.println(line);
            System.err.flush();
        });
        int iif = q.iif() == null ? 0 : ifindexOrNodev(q.iif());
        int oif = q.oif() == null ? 0 : ifindexOrNodev(q.oif());
        RouteLookup l = h().routeGet(q.family() == 6 ? Route.AF_INET6 : Route.AF_INET, q.dst(), q.src(), q.srcLen(),
                iif, oif);
        LinkTable t = linkTable();
        if (o.json()) {
            printJson(Json.array(List.of(IpRouteGet.json(l, t.byIndex()).toString())), o);
        } else {
            out.println(IpRouteGet.text(l, t.byIndex(), o.oneline()));
        }
        out.flush();
    }

    private int ifindexOrNodev(String dev) {
        if (!exists(dev)) {
            throw new IpError("Cannot find device \"" + dev + "\"", 1);
        }
        return h().ifindex(dev);
    }

    @Override
    void show(List<String> a, IpCommands.Opts o) {
        long table = Route.TABLE_MAIN;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("table")) {
                String v = next(a, ++i);
                table = v.equals("all") ? 0 : Parsers.table(v);
                if (table < 0) {
                    throw IpError.invargNl("table id value is invalid", v);
                }
            } else {
                throw IpError.duplicateOrGarbage("to", t);
            }
        }
        int family = o.family() == 6 ? Route.AF_INET6 : o.family() == 4 ? Route.AF_INET
                : table == 0 ? 0 : Route.AF_INET;
        List<Route> routes = h().routes(family, (int) table);
        LinkTable t = linkTable();
        boolean showTable = table == 0;
        List<String> items = new ArrayList<>();
        for (Route r : routes) {
            if (table != 0 && r.table() != table) {
                continue;
            }
            if (o.json()) {
                items.add(IpJson.route(r, t.byIndex(), showTable, o.details()).toString());
            } else {
                out.println(IpText.route(r, t.byIndex(), showTable, o.details()));
            }
        }
        if (o.json()) {
            printJson(Json.array(items), o);
        }
        out.flush();
    }
}
