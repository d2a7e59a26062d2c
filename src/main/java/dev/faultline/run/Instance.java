package dev.faultline.run;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** This Faultline instance's name, which it writes as the owner of the runs it carries out. */
@ApplicationScoped
public class Instance {

    private final String id;

    Instance(@ConfigProperty(name = "faultline.instance-id") java.util.Optional<String> configured,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
        this.id = configured.orElseGet(() -> host() + ":" + port);
    }

    public String id() {
        return id;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
