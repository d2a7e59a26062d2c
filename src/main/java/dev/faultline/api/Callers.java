package dev.faultline.api;

import jakarta.enterprise.context.RequestScoped;

import dev.faultline.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/** The caller of the API request being answered, as feature services take it. */
@RequestScoped
public class Callers {

    private final SecurityIdentity identity;
    private final CurrentVertxRequest request;
    private Caller caller;

    Callers(SecurityIdentity identity, CurrentVertxRequest request) {
        this.identity = identity;
        this.request = request;
    }

    public Caller get() {
        if (caller == null) {
            var current = request.getCurrent();
            String source = current == null || current.request().remoteAddress() == null ? null
                    : current.request().remoteAddress().hostAddress();
            caller = Caller.of(identity, Caller.Via.API, source);
        }
        return caller;
    }
}
