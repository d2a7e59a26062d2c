package dev.faultline;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * At most {@code limit} items of a list in its stable order, starting after {@code after} (the key of the
 * last item already seen). Services read {@link #fetch()} rows (one more than asked, so they know whether
 * another page follows) and {@link #cut} them.
 */
public record PageRequest(Optional<Cursor> after, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    /** Every item, for callers inside the application that show a whole list. */
    public static PageRequest everything() {
        return new PageRequest(Optional.empty(), Integer.MAX_VALUE - 1);
    }

    public static PageRequest first(int limit) {
        return new PageRequest(Optional.empty(), limit);
    }

    /** How many rows to read: one more than the page holds. */
    public int fetch() {
        return limit + 1;
    }

    /**
     * Where a list ordered by a name starts: after the name the cursor holds, or "" for the first page (names are
     * never empty, so {@code name > ''} reads them all). One query serves both: {@code find("name > ?1", ...)}.
     */
    public String afterName() {
        return after.map(cursor -> cursor.text(0)).orElse("");
    }

    /** The page of {@code fetched}, ordered by the names {@code name} gives, its cursor the last name. */
    public <S, T> Page<T> cutByName(List<S> fetched, Function<S, String> name, Function<S, T> item) {
        return cut(fetched, entity -> Cursor.of(name.apply(entity)), item);
    }

    /** The page of {@code fetched} (read with {@link #fetch()}), with the cursor of its last item when more follow. */
    public <S, T> Page<T> cut(List<S> fetched, Function<S, Cursor> key, Function<S, T> item) {
        List<S> page = fetched.size() > limit ? fetched.subList(0, limit) : fetched;
        Optional<Cursor> next = fetched.size() > limit ? Optional.of(key.apply(page.getLast())) : Optional.empty();
        return new Page<>(page.stream().map(item).toList(), next);
    }

    /** One page of a list and, when another follows, where it starts. */
    public record Page<T>(List<T> items, Optional<Cursor> next) {

        public Page {
            items = List.copyOf(items);
        }

        public <R> Page<R> map(Function<T, R> item) {
            return new Page<>(items.stream().map(item).toList(), next);
        }
    }
}
