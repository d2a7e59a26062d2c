package dev.faultline.metrics;

import java.net.URI;
import java.util.List;

/**
 * A header a probe sends only to the hosts listed, a redirect elsewhere going without it: a stored secret's value
 * (to the hosts the secret lists), or a credential written in the document (to the host and port its check calls).
 * Never printed.
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
