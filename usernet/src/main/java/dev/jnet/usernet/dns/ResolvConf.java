package dev.jnet.usernet.dns;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code nameserver} lines of a resolv.conf(5), as the C library reads them: at most
 * {@value #MAXNS} servers, port 53, comments after {@code #} or {@code ;}. Only address
 * literals are accepted (a host name here would make us do a lookup); IPv4 servers are listed
 * before IPv6 ones, since the guest's DNS is IPv4.
 */
public final class ResolvConf {
    /** The C library's limit (MAXNS). */
    public static final int MAXNS = 3;
    static final int DNS_PORT = 53;

    private ResolvConf() {
    }

    /**
     * The servers of the file at {@code path}; empty if it does not exist.
     *
     * @throws IOException if it exists but cannot be read
     */
    public static List<InetSocketAddress> read(Path path) throws IOException {
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** The servers named by resolv.conf text. */
    public static List<InetSocketAddress> parse(String text) {
        List<InetSocketAddress> v4 = new ArrayList<>();
        List<InetSocketAddress> v6 = new ArrayList<>();
        int seen = 0;
        for (String raw : text.split("\n")) {
            String line = stripComment(raw).trim();
            String[] words = line.split("[ \t]+");
            if (words.length < 2 || !words[0].equals("nameserver") || seen == MAXNS) {
                continue;
            }
            InetAddress addr = literal(words[1]);
            if (addr == null) {
                continue;
            }
            seen++;
            (addr instanceof Inet4Address ? v4 : v6).add(new InetSocketAddress(addr, DNS_PORT));
        }
        v4.addAll(v6);
        return List.copyOf(v4);
    }

    /**
     * The search list of the file at {@code path} (empty if it does not exist): the words of its
     * last {@code search} or {@code domain} line, as resolv.conf(5) says the last one wins.
     *
     * @throws IOException if it exists but cannot be read
     */
    public static List<String> search(Path path) throws IOException {
        try {
            return parseSearch(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** The search list of resolv.conf text (see {@link #search(Path)}). */
    public static List<String> parseSearch(String text) {
        List<String> search = List.of();
        for (String raw : text.split("\n")) {
            String[] words = stripComment(raw).trim().split("[ \t]+");
            if (words[0].equals("search") || words[0].equals("domain")) {
                search = List.of(words).subList(1, words[0].equals("domain") ? Math.min(2, words.length) : words.length);
            }
        }
        return search;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        int semi = line.indexOf(';');
        int cut = hash < 0 ? semi : semi < 0 ? hash : Math.min(hash, semi);
        return cut < 0 ? line : line.substring(0, cut);
    }

    /**
     * An IPv4 dotted quad or an IPv6 literal, the latter with an optional {@code %zone} (an
     * interface name or number, as link-local servers need), else {@code null}; never a lookup.
     */
    static InetAddress literal(String s) {
        int zone = s.indexOf('%');
        try {
            IpAddress a = IpAddress.parse(zone < 0 ? s : s.substring(0, zone));
            if (zone < 0) {
                return a.toInetAddress();
            }
            return a.isIpv6() ? scoped(a, s.substring(zone + 1)) : null;
        } catch (InvalidAddressException e) {
            return null;
        }
    }

    private static InetAddress scoped(IpAddress a, String zone) {
        try {
            if (zone.matches("[0-9]{1,9}")) {
                return Inet6Address.getByAddress(null, a.bytes(), Integer.parseInt(zone));
            }
            NetworkInterface nif = NetworkInterface.getByName(zone);
            return nif == null ? null : Inet6Address.getByAddress(null, a.bytes(), nif);
        } catch (UnknownHostException | SocketException e) {
            return null;
        }
    }
}
