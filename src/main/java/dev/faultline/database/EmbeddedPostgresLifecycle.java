package dev.faultline.database;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Keeps the embedded PostgreSQL up until every other shutdown observer (runs ending, samples stored) is done. */
@ApplicationScoped
class EmbeddedPostgresLifecycle {

    void started(@Observes StartupEvent event) {
        EmbeddedPostgres.applicationStarted();
    }

    void stopped(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 1000) ShutdownEvent event) {
        EmbeddedPostgres.applicationStopped();
    }
}
