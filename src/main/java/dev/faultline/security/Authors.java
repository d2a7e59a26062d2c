package dev.faultline.security;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.faultline.PolicyDeniedException;

/**
 * The people a schedule or a game day acts for when Faultline fires it by itself: whoever created
 * it and whoever last changed it. Their roles and grants were checked when they wrote it; by the
 * time it fires they may have been disabled, deleted, demoted or lost a grant, and then it must not
 * go on running experiments in their name.
 */
@ApplicationScoped
public class Authors {

    /** Someone a schedule or game day acts for, and how ({@code creator}, {@code last editor}). */
    public record Author(String as, String username) {

        @Override
        public String toString() {
            return as + " " + username;
        }
    }

    private final UserService users;

    Authors(UserService users) {
        this.users = users;
    }

    /** The creator, and whoever last changed it when that is someone else. */
    public static List<Author> of(String createdBy, String updatedBy) {
        Author creator = new Author("creator", createdBy);
        return updatedBy == null || updatedBy.equals(createdBy) ? List.of(creator) : List.of(creator, new Author("last editor", updatedBy));
    }

    /**
     * Fails (403, policy) unless every author still exists, is enabled, holds {@code role} and a grant
     * for each of {@code namespaces}; the message names the first who does not, and why. Read in a
     * transaction, so as the database has them now: a game day's thread, which lasts all its steps,
     * would otherwise see each user as its first step read them.
     */
    @Transactional
    public void requireStanding(List<Author> authors, Role role, Collection<String> namespaces) {
        for (Author author : authors) {
            User user = users.find(author.username())
                    .orElseThrow(() -> new PolicyDeniedException(author + " no longer exists"));
            if (user.disabled()) {
                throw new PolicyDeniedException(author + " is disabled");
            }
            // as they would be were they to sign in now
            Caller now = new Caller(user.username(), user.roles(), user.namespaces(), null, null, null);
            if (!now.has(role)) {
                throw new PolicyDeniedException(author + " no longer holds the role " + role.key());
            }
            for (String namespace : namespaces) {
                if (!now.isGranted(namespace)) {
                    throw new PolicyDeniedException(author + " no longer holds a grant for namespace " + namespace);
                }
            }
        }
    }
}
