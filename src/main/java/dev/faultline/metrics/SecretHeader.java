package dev.faultline.metrics;

import java.net.URI;
import java.util.List;

/**
 * A header a probe sends with a stored secret's value, and only to the hosts the secret lists: a redirect
 * elsewhere goes without it. Never printed.
 */
public record SecretHeader(String name, String value, List<HostEntry> hosts) {

    public SecretHeader {
        hosts = List.copyOf(hosts);
    }

    public boolean mayGoTo(URI url) {
        return hosts.stream().anyMatch(host -> host.matches(url));
    }

    @Override
    public String toString() {
        return "SecretHeader[" + name + "]";
    }
}
