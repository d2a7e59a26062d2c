package dev.faultline.resilience;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.Names;
import dev.faultline.mesh.Posture;
import dev.faultline.mesh.PostureReader;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * The resilience posture of a namespace, read from the cluster now with Faultline's own access: for
 * viewers with a grant for the namespace (it shows routing and security settings, no secrets). Nothing
 * is written, so nothing is audited.
 */
@ApplicationScoped
public class PostureService {

    private final PostureReader reader;

    PostureService(PostureReader reader) {
        this.reader = reader;
    }

    public Posture posture(Caller caller, String namespace) {
        caller.require(Role.VIEWER);
        if (namespace == null || namespace.isBlank()) {
            throw new InvalidDocumentException(List.of(new FieldError("namespace", "is required: the namespace to read")));
        }
        if (!Names.isDnsLabel(namespace)) {
            throw new InvalidDocumentException(List.of(new FieldError("namespace", Names.DNS_LABEL_RULE + ", found \"" + namespace + "\"")));
        }
        caller.requireGrant(namespace);
        return reader.read(namespace);
    }
}
