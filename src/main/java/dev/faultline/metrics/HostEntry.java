package dev.faultline.metrics;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host a list names, {@code host} (any port) or {@code host:port} ({@code [::1]:8080} for IPv6), matched against
 * the host as a URL writes it (an address also matches the same address written another way): the entries of
 * {@code faultline.probes.allowed-hosts}, and the hosts a stored secret may be sent to.
 *
 * @param port the port, or -1 for any
 */
public record HostEntry(String host, InetAddress address, int port) {

    private static final Pattern NUMERIC = Pattern.compile("[0-9.]+");

    /** Reads an entry; fails, quoting it, when it is not a host or host:port. */
    public static HostEntry parse(String entry) {
        String text = entry.toLowerCase(Locale.ROOT);
        String host = text;
        String port = null;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 < text.length() && text.charAt(close + 1) != ':') {
                throw invalid(entry);
            }
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : null;
        } else if (colon > 0 && colon == text.indexOf(':')) {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        host = normalize(host);
        InetAddress address = isLiteral(host) ? literal(host) : null;
        if (host.isEmpty() || host.indexOf(':') >= 0 && address == null || host.indexOf('/') >= 0 || host.indexOf('@') >= 0
                || host.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(entry);
        }
        return new HostEntry(host, address, port == null ? -1 : port(port, entry));
    }

    /** The entry of exactly the host and port {@code url} calls (its scheme's port when it names none). */
    public static HostEntry of(URI url) {
        String host = host(url);
        return new HostEntry(host, isLiteral(host) ? literal(host) : null, ProbeEgress.port(url));
    }

    /** Whether {@code url} goes to this host (and port, when the entry names one). */
    public boolean matches(URI url) {
        String otherHost = host(url);
        return matches(otherHost, isLiteral(otherHost) ? literal(otherHost) : null, ProbeEgress.port(url));
    }

    boolean matches(String otherHost, InetAddress otherAddress, int otherPort) {
        return (port == -1 || port == otherPort)
                && (host.equals(otherHost) || address != null && address.equals(otherAddress));
    }

    /** The entry as a list writes it: {@code host:port} ({@code [::1]:8080} for IPv6), or the host alone for any port. */
    public String written() {
        String written = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == -1 ? written : written + ":" + port;
    }

    /** The host of {@code url} as entries are compared with it: lower case, without brackets or a trailing dot. */
    public static String host(URI url) {
        return url.getHost() == null ? "" : normalize(url.getHost());
    }

    static String normalize(String host) {
        String normal = host.toLowerCase(Locale.ROOT);
        if (normal.startsWith("[") && normal.endsWith("]")) {
            normal = normal.substring(1, normal.length() - 1);
        }
        while (normal.endsWith(".")) {
            normal = normal.substring(0, normal.length() - 1);
        }
        return normal;
    }

    /** Whether {@code host} is written as an address (IPv6, or digits and dots as IPv4 forms are) rather than a name. */
    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || NUMERIC.matcher(host).matches();
    }

    /** The address a literal stands for, or null when it is none. */
    static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int port(String text, String entry) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw invalid(entry);
    }

    private static IllegalArgumentException invalid(String entry) {
        return new IllegalArgumentException("\"" + dev.faultline.FieldReader.abbreviate(entry)
                + "\" must be a host or host:port (an IPv6 address in brackets with a port: [::1]:8080)");
    }
}
