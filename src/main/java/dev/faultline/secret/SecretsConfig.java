package dev.faultline.secret;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** How stored secrets are kept: the key that encrypts them, the same on every replica. */
@ConfigMapping(prefix = "faultline.secrets")
public interface SecretsConfig {

    /**
     * At least 16 characters ({@code FAULTLINE_SECRETS_KEY}); unset, one is made once into {@code secrets.key} in
     * {@code faultline.data-dir}.
     */
    Optional<String> key();
}
