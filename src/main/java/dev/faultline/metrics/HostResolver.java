package dev.faultline.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Looks a host up the way the JVM does (hosts file, then DNS). A bean of its own so that the answers
 * a probe acts on come from one place, which a test can also answer for as an attacker's DNS server would.
 */
@ApplicationScoped
public class HostResolver {

    /** Every address of {@code host} (a name, or a literal address, IPv6 with or without brackets). */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        return List.of(InetAddress.getAllByName(host));
    }
}
