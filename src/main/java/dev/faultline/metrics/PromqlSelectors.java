package dev.faultline.metrics;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The vector selectors of a PromQL expression ({@code istio_requests_total{reporter="destination"}},
 * {@code {__name__=~"up|x"}}, {@code up}): the series it reads, without their ranges, offsets or the functions
 * around them. Enough to ask Prometheus which targets those series come from; not a validating parser (an
 * expression Prometheus rejects gives whatever selectors it seems to hold).
 */
public final class PromqlSelectors {

    /** Words that are not metric names: grouping, set and comparison modifiers, and literals. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan",
            // aggregations, which may be followed by a grouping before their parenthesis
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
            "limitk", "limit_ratio");
    /** Modifiers followed by a parenthesised label list, which holds no selectors. */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private PromqlSelectors() {
    }

    public static List<String> of(String promql) {
        Set<String> selectors = new LinkedHashSet<>();
        int i = 0;
        int n = promql.length();
        while (i < n) {
            char c = promql.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(promql, i);
            } else if (c == '#') {
                while (i < n && promql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '[') {
                i = skipTo(promql, i, ']');
            } else if (c == '{') {
                int end = skipTo(promql, i, '}');
                selectors.add(promql.substring(i, end).strip());
                i = end;
            } else if (Character.isDigit(c) || c == '.') {
                while (i < n && (Character.isLetterOrDigit(promql.charAt(i)) || promql.charAt(i) == '.' || promql.charAt(i) == '_')) {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(promql.charAt(i)) || promql.charAt(i) == '_' || promql.charAt(i) == ':')) {
                    i++;
                }
                String word = promql.substring(start, i);
                int next = skipSpace(promql, i);
                char following = next < n ? promql.charAt(next) : 0;
                String lower = word.toLowerCase(Locale.ROOT);
                if (LABEL_LISTS.contains(lower)) {
                    i = following == '(' ? skipTo(promql, next, ')') : i;
                } else if (KEYWORDS.contains(lower) || following == '(') {
                    // a modifier or literal, or a function or aggregation whose arguments follow
                } else if (following == '{') {
                    int end = skipTo(promql, next, '}');
                    selectors.add(word + promql.substring(next, end).strip());
                    i = end;
                } else {
                    selectors.add(word);
                }
            } else {
                i++;
            }
        }
        return new ArrayList<>(selectors);
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after the {@code close} that ends what starts at {@code open}, strings skipped (or the end of the text). */
    private static int skipTo(String text, int open, char close) {
        int i = open + 1;
        int depth = 1;
        char opening = text.charAt(open);
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(text, i);
                continue;
            }
            if (c == opening && opening != close) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static int skipString(String text, int open) {
        char quote = text.charAt(open);
        int i = open + 1;
        while (i < text.length() && text.charAt(i) != quote) {
            i += text.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        return Math.min(i + 1, text.length());
    }
}
