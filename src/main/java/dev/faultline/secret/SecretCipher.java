package dev.faultline.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Encrypts secret values with AES-256-GCM (a random 96-bit nonce per value, the name as associated data, so a
 * value cannot be moved to another name) under {@code faultline.secrets.key}, derived to 256 bits with SHA-256.
 * Without a configured key, one is made once into {@code secrets.key} in the data directory (mode 0600).
 */
@ApplicationScoped
class SecretCipher {

    private static final Logger LOG = Logger.getLogger(SecretCipher.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** An encryption key and its fingerprint (which says nothing of the key). */
    record Key(SecretKeySpec spec, String fingerprint) {

        static Key of(String text) {
            if (text.length() < 16) {
                throw new IllegalStateException("faultline.secrets.key must be at least 16 characters");
            }
            byte[] bytes = sha256(text.getBytes(StandardCharsets.UTF_8));
            String fingerprint = HexFormat.of().formatHex(sha256(("faultline secrets key fingerprint\n" + text)
                    .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
            return new Key(new SecretKeySpec(bytes, "AES"), fingerprint);
        }

        @Override
        public String toString() {
            return "Key[" + fingerprint + "]";
        }
    }

    record Sealed(byte[] ciphertext, byte[] nonce, String fingerprint) {
    }

    private volatile Key key;

    SecretCipher(SecretsConfig config, @ConfigProperty(name = "faultline.data-dir") Optional<String> dataDir) {
        this.key = Key.of(config.key().filter(text -> !text.isBlank()).orElseGet(() -> keyFile(dataDir)));
    }

    Sealed seal(String name, String value) {
        Key current = key;
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current.spec(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return new Sealed(cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)), nonce, current.fingerprint());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The value, or empty when it was sealed under another key (or was changed since). */
    Optional<String> open(String name, Sealed sealed) {
        Key current = key;
        if (!current.fingerprint().equals(sealed.fingerprint())) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, current.spec(), new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8));
        } catch (javax.crypto.AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Uses another key from now on (what a test does to read values stored under one key with another); the previous one. */
    Key use(Key next) {
        Key previous = key;
        key = next;
        return previous;
    }

    private static String keyFile(Optional<String> dataDir) {
        Path file = dataDir.filter(dir -> !dir.isBlank()).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".faultline")).toAbsolutePath().resolve("secrets.key");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            Files.createDirectories(file.getParent());
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            String text = Base64.getEncoder().encodeToString(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, text);
            LOG.infof("Created %s to encrypt stored secrets; replicas must share one key: set faultline.secrets.key "
                    + "(FAULTLINE_SECRETS_KEY) on every replica", file);
            return text;
        } catch (FileAlreadyExistsException e) {
            return keyFile(dataDir); // another process made it first
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or create " + file + " for faultline.secrets.key", e);
        }
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
