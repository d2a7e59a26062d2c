package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The egress policy on its own: what is refused as written, after resolution, and what listing a host allows. */
class ProbeEgressTest {

    /** Names an attacker's DNS would answer; every other host as the JVM resolves it. */
    private static final Map<String, List<String>> DNS = Map.of(
            "shop.attacker.test", List.of("127.0.0.1"),
            "metadata.attacker.test", List.of("10.1.2.3", "169.254.169.254"),
            "shop.example.test", List.of("10.1.2.3"));

    private static ProbeEgress egress(String... allowed) {
        return new ProbeEgress(() -> Optional.of(List.of(allowed)), new HostResolver() {
            @Override
            public List<InetAddress> resolve(String host) throws UnknownHostException {
                List<String> answer = DNS.get(host);
                if (answer == null) {
                    return super.resolve(host);
                }
                List<InetAddress> addresses = new java.util.ArrayList<>();
                for (String address : answer) {
                    addresses.add(InetAddress.getByName(address));
                }
                return addresses;
            }
        });
    }

    private static Optional<String> asWritten(ProbeEgress egress, String url) {
        return egress.refusalAsWritten(URI.create(url));
    }

    @Test
    void literalAddressesAndNamesThatReachInsideAreRefusedAsWritten() {
        ProbeEgress egress = egress();
        Map<String, String> refused = Map.ofEntries(
                Map.entry("http://127.0.0.1:8080/q/health", "host 127.0.0.1 is not allowed: it is a loopback address"),
                Map.entry("http://127.9.9.9/", "host 127.9.9.9 is not allowed: it is a loopback address"),
                Map.entry("http://[::1]/", "host ::1 is not allowed: it is a loopback address"),
                Map.entry("http://169.254.169.254/latest/meta-data/", "host 169.254.169.254 is not allowed: it is a cloud metadata service's address"),
                Map.entry("http://169.254.10.20/", "host 169.254.10.20 is not allowed: it is a link-local address"),
                Map.entry("http://[fe80::1]/", "host fe80::1 is not allowed: it is a link-local address"),
                Map.entry("http://[fd00:ec2::254]/", "host fd00:ec2::254 is not allowed: it is a cloud metadata service's address"),
                Map.entry("http://100.100.100.200/", "host 100.100.100.200 is not allowed: it is a cloud metadata service's address"),
                Map.entry("http://0.0.0.0:8080/", "host 0.0.0.0 is not allowed: it is an unspecified address"),
                Map.entry("http://[::]:8080/", "host :: is not allowed: it is an unspecified address"),
                Map.entry("http://[::ffff:127.0.0.1]/", "host ::ffff:127.0.0.1 is not allowed: it is a loopback address"),
                Map.entry("http://localhost/", "host localhost is not allowed: it is a loopback name"),
                Map.entry("http://LocalHost.:9000/", "host localhost is not allowed: it is a loopback name"),
                Map.entry("http://api.localhost/", "host api.localhost is not allowed: it is a loopback name"),
                Map.entry("http://metadata/computeMetadata/v1/", "host metadata is not allowed: it is a cloud metadata service's name"),
                Map.entry("http://metadata.google.internal./computeMetadata/v1/",
                        "host metadata.google.internal is not allowed: it is a cloud metadata service's name"));
        refused.forEach((url, reason) -> assertThat(asWritten(egress, url)).as(url).hasValueSatisfying(
                refusal -> assertThat(refusal).startsWith(reason).contains("faultline.probes.allowed-hosts")));
        assertThat(asWritten(egress, "http://127.0.0.1:8080/")).hasValue("host 127.0.0.1 is not allowed: it is a loopback address; "
                + "an operator may allow it by adding \"127.0.0.1:8080\" to faultline.probes.allowed-hosts");
        assertThat(asWritten(egress, "https://[::1]/")).get().asString().contains("adding \"[::1]:443\"");
    }

    @Test
    void ordinaryHostsAndNamesThatOnlyDnsCouldJudgeAreStored() {
        ProbeEgress egress = egress();
        for (String url : List.of("http://productpage.bookinfo.svc.cluster.local:9080/health", "http://10.1.2.3/", "https://93.184.215.14/",
                "http://shop.attacker.test/", "http://[fd12::1]/")) {
            assertThat(asWritten(egress, url)).as(url).isEmpty();
        }
    }

    @Test
    void thisHostsOwnAddressesAreRefusedOnEveryPort() throws SocketException {
        ProbeEgress egress = egress();
        List<InetAddress> own = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()).toList();
        for (InetAddress address : own) {
            for (int port : List.of(80, 8080, 15000, 15090)) {
                assertThat(asWritten(egress, "http://" + address.getHostAddress() + ":" + port + "/")).get().asString()
                        .startsWith("host " + address.getHostAddress() + " is not allowed: it is an address of Faultline's own host");
            }
        }
    }

    @Test
    void everyAddressANameResolvesToIsJudged() throws UnknownHostException {
        ProbeEgress egress = egress();
        assertThat(egress.resolve(URI.create("http://shop.attacker.test:8080/")).refusal())
                .startsWith("host shop.attacker.test is not allowed: it resolves to 127.0.0.1, a loopback address; "
                        + "an operator may allow it by adding \"shop.attacker.test:8080\"");
        assertThat(egress.resolve(URI.create("http://metadata.attacker.test/")).refusal()).as("the second of its addresses")
                .startsWith("host metadata.attacker.test is not allowed: it resolves to 169.254.169.254, a cloud metadata service's address");
        ProbeEgress.Destination allowed = egress.resolve(URI.create("http://shop.example.test/"));
        assertThat(allowed.refused()).isFalse();
        assertThat(allowed.address().getHostAddress()).isEqualTo("10.1.2.3");
        assertThat(egress.resolve(URI.create("http://localhost:1/")).refusal()).as("refused by name, before any lookup")
                .startsWith("host localhost is not allowed: it is a loopback name");
        assertThatThrownBy(() -> egress.resolve(URI.create("http:///nothing"))).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aListedHostIsAllowedOnItsPortOrOnAny() throws UnknownHostException {
        ProbeEgress egress = egress("127.0.0.1:8080", "shop.attacker.test", "[::1]:9000", " LOCALHOST. ", "fe80::1");
        assertThat(asWritten(egress, "http://127.0.0.1:8080/")).isEmpty();
        assertThat(asWritten(egress, "http://127.0.0.1:8081/")).as("another port").get().asString().contains("adding \"127.0.0.1:8081\"");
        assertThat(asWritten(egress, "http://[::1]:9000/")).isEmpty();
        assertThat(asWritten(egress, "http://[0:0:0:0:0:0:0:1]:9000/")).as("the same address written longer").isEmpty();
        assertThat(asWritten(egress, "http://[::1]:9001/")).isPresent();
        assertThat(asWritten(egress, "http://localhost:1234/")).isEmpty();
        assertThat(asWritten(egress, "http://[fe80::1]:1/")).isEmpty();
        assertThat(egress.resolve(URI.create("http://shop.attacker.test:1/")).refused()).isFalse();
        assertThat(egress.resolve(URI.create("http://127.0.0.1:8080/")).address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(egress.resolve(URI.create("http://127.0.0.1:9/")).refused()).isTrue();
        assertThat(egress.resolve(URI.create("http://metadata.attacker.test/")).refused()).as("listing one name allows no other").isTrue();
    }

    @Test
    void anEntryThatIsNoHostStopsTheStart() {
        for (String entry : List.of("host:port", "host:0", "[::1", "[::1]8080", ":8080")) {
            assertThatThrownBy(() -> egress(entry)).as(entry).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("faultline.probes.allowed-hosts: \"" + entry
                            + "\" must be a host or host:port (an IPv6 address in brackets with a port: [::1]:8080)");
        }
    }
}
