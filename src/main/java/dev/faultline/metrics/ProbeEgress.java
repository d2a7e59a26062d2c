package dev.faultline.metrics;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * Where HTTP probes may go. Any experimenter writes probes, and Faultline runs them from inside its own
 * network, so without this a probe could read the cloud's instance credentials (169.254.169.254), or
 * whatever listens on Faultline's loopback, its pod address or its sidecar. Refused, unless an operator
 * lists the host in {@code faultline.probes.allowed-hosts}: loopback, link-local and unspecified
 * addresses, the cloud metadata services' names and addresses, and every address of Faultline's own host
 * on any port (its API, its management interface and the sidecar's admin and stats ports all listen
 * there, and no system under test does, so no list of ports to keep up to date). A name is judged as
 * written and then by every address it resolves to, so a name pointing at a refused address is refused.
 */
@ApplicationScoped
public class ProbeEgress {

    private static final Logger LOG = Logger.getLogger(ProbeEgress.class);
    /** How long the addresses of this host are kept before they are read again (interfaces rarely change). */
    private static final long OWN_ADDRESSES_KEPT_NANOS = Duration.ofSeconds(30).toNanos();
    private static final Set<String> METADATA_NAMES = Set.of("metadata", "metadata.google.internal");
    private static final Set<InetAddress> METADATA_ADDRESSES = Set.of(HostEntry.literal("169.254.169.254"),
            HostEntry.literal("fd00:ec2::254"), HostEntry.literal("100.100.100.200"));

    private final List<HostEntry> allowed;
    private final HostResolver resolver;
    private volatile OwnAddresses own;

    ProbeEgress(ProbeConfig config, HostResolver resolver) {
        this.allowed = config.allowedHosts().orElse(List.of()).stream().map(String::trim).filter(entry -> !entry.isEmpty())
                .map(ProbeEgress::allowedHost).toList();
        this.resolver = resolver;
    }

    private static HostEntry allowedHost(String entry) {
        try {
            return HostEntry.parse(entry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("faultline.probes.allowed-hosts: " + e.getMessage());
        }
    }

    /** Where a probe may connect: the address to use (the first its host resolves to), or why it may not. */
    public record Destination(InetAddress address, String refusal) {

        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * Why {@code url} may not be probed, judged from what it says alone, without asking DNS: a refused name
     * ({@code localhost}, a metadata service) or a literal refused address. Empty when it may be stored.
     */
    public Optional<String> refusalAsWritten(URI url) {
        String host = HostEntry.host(url);
        int port = port(url);
        if (host.isEmpty() || isListed(host, port)) {
            return Optional.empty();
        }
        Optional<String> name = refusedName(host);
        if (name.isPresent() || !HostEntry.isLiteral(host)) {
            return name.map(kind -> refusal(host, port, "it is " + kind));
        }
        try {
            return refusedAmong(host, port, resolver.resolve(host));
        } catch (UnknownHostException e) {
            return Optional.empty(); // not an address after all; the check says so when it runs
        }
    }

    /** Resolves the host of {@code url} and judges every address it has; fails when the host has none. */
    public Destination resolve(URI url) throws UnknownHostException {
        String host = HostEntry.host(url);
        int port = port(url);
        if (host.isEmpty()) {
            throw new UnknownHostException("the URL names no host"); // the JDK would take "" for loopback
        }
        boolean listed = isListed(host, port);
        Optional<String> name = listed ? Optional.empty() : refusedName(host);
        if (name.isPresent()) {
            return new Destination(null, refusal(host, port, "it is " + name.get()));
        }
        List<InetAddress> addresses = resolver.resolve(host);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host);
        }
        Optional<String> refused = listed ? Optional.empty() : refusedAmong(host, port, addresses);
        return refused.map(reason -> new Destination(null, reason)).orElseGet(() -> new Destination(addresses.get(0), null));
    }

    /** The port {@code url} reaches: its own, or its scheme's. */
    public static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private Optional<String> refusedAmong(String host, int port, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            Optional<String> kind = refusedAddress(address);
            if (kind.isPresent()) {
                return Optional.of(refusal(host, port, HostEntry.isLiteral(host) ? "it is " + kind.get()
                        : "it resolves to " + address.getHostAddress() + ", " + kind.get()));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> refusedName(String host) {
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return Optional.of("a loopback name");
        }
        return METADATA_NAMES.contains(host) ? Optional.of("a cloud metadata service's name") : Optional.empty();
    }

    private Optional<String> refusedAddress(InetAddress address) {
        if (METADATA_ADDRESSES.contains(address)) {
            return Optional.of("a cloud metadata service's address");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (address.isAnyLocalAddress() || address instanceof Inet4Address && address.getAddress()[0] == 0) {
            return Optional.of("an unspecified address"); // Linux connects 0.0.0.0 to this host
        }
        return ownAddresses().contains(address) ? Optional.of("an address of Faultline's own host") : Optional.empty();
    }

    private static String refusal(String host, int port, String why) {
        String entry = new HostEntry(host, null, port).written();
        return "host " + host + " is not allowed: " + why + "; an operator may allow it by adding \"" + entry
                + "\" to faultline.probes.allowed-hosts";
    }

    private boolean isListed(String host, int port) {
        InetAddress address = HostEntry.isLiteral(host) ? HostEntry.literal(host) : null;
        return allowed.stream().anyMatch(entry -> entry.matches(host, address, port));
    }

    private Set<InetAddress> ownAddresses() {
        OwnAddresses known = own;
        long now = System.nanoTime();
        if (known == null || now - known.readAt() > OWN_ADDRESSES_KEPT_NANOS) {
            known = new OwnAddresses(readOwnAddresses(), now);
            own = known;
        }
        return known.addresses();
    }

    private static Set<InetAddress> readOwnAddresses() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (SocketException e) {
            LOG.warnf("Could not list this host's addresses (%s); probes to them are refused only when loopback or link-local",
                    e.getMessage());
            return Set.of();
        }
    }

    private record OwnAddresses(Set<InetAddress> addresses, long readAt) {
    }
}
