package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The package table of the README is what the code does: every import of one Faultline package
 * from another is allowed by the table's "may use" column, and the doors (api, ui) reach no store,
 * no mesh SPI and no Prometheus client, only feature services.
 */
class PackageTableTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/faultline");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.faultline\\.((?:[a-z]+\\.)*)([A-Z]\\w*)", Pattern.MULTILINE);
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+|dev\\.faultline)` \\|[^|]*\\| ([^|]*) \\|$", Pattern.MULTILINE);
    private static final Pattern NAMED = Pattern.compile("`([a-z.]+)`");
    /**
     * What the doors must not touch: stores, the mesh SPI, the Prometheus client, the engine below the run service.
     * The posture's value type ({@code mesh.Posture}), which the posture service answers with, is not behind them.
     */
    private static final Pattern BEHIND_THE_SERVICES = Pattern.compile(
            "(mesh\\.(?!Posture$).*|metrics\\.PrometheusClient|run\\.RunStore|run\\.RunEngine|security\\.AuditLog|schedule\\.FireLog|.*\\.Stored\\w*)");

    @Test
    void everyImportBetweenPackagesIsInTheTable() throws IOException {
        Map<String, Set<String>> table = table();
        List<String> outside = new ArrayList<>();
        for (Map.Entry<String, List<String>> source : imports().entrySet()) {
            String from = packageOf(source.getKey());
            assertThat(table).as("package %s (of %s) is a row of the README's package table", from, source.getKey()).containsKey(from);
            for (String imported : source.getValue()) {
                String to = imported.substring(0, Math.max(0, imported.lastIndexOf('.')));
                if (!to.equals(from) && !to.isEmpty() && !table.get(from).contains(to)) {
                    outside.add(source.getKey() + " imports " + imported + " but " + from + " may use only " + table.get(from));
                }
            }
        }
        assertThat(outside).isEmpty();
    }

    @Test
    void resourcesAndViewsReachOnlyFeatureServices() throws IOException {
        List<String> reaching = new ArrayList<>();
        for (Map.Entry<String, List<String>> source : imports().entrySet()) {
            String from = packageOf(source.getKey());
            if (from.equals("api") || from.equals("ui")) {
                source.getValue().stream().filter(imported -> BEHIND_THE_SERVICES.matcher(imported).matches())
                        .forEach(imported -> reaching.add(source.getKey() + " imports " + imported));
            }
        }
        assertThat(reaching).isEmpty();
    }

    /** From the README: package → the packages it may use (the root package may be used by all). */
    private static Map<String, Set<String>> table() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Packages"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        Map<String, Set<String>> table = new LinkedHashMap<>();
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            Set<String> mayUse = new TreeSet<>();
            Matcher named = NAMED.matcher(row.group(2));
            while (named.find()) {
                mayUse.add(named.group(1));
            }
            table.put(row.group(1).equals("dev.faultline") ? "" : row.group(1), mayUse);
        }
        assertThat(table).as("rows of the README's package table").hasSizeGreaterThan(10);
        return table;
    }

    /** Source file (relative to dev/faultline) → the Faultline types it imports, as {@code package.Type}. */
    private static Map<String, List<String>> imports() throws IOException {
        Map<String, List<String>> imports = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).sorted().toList()) {
                List<String> found = new ArrayList<>();
                Matcher matcher = IMPORT.matcher(Files.readString(file));
                while (matcher.find()) {
                    String pkg = matcher.group(1).isEmpty() ? "" : matcher.group(1).substring(0, matcher.group(1).length() - 1);
                    found.add((pkg.isEmpty() ? "" : pkg + ".") + matcher.group(2));
                }
                imports.put(SOURCES.relativize(file).toString(), found);
            }
        }
        return imports;
    }

    private static String packageOf(String file) {
        int slash = file.lastIndexOf('/');
        return slash < 0 ? "" : file.substring(0, slash).replace('/', '.');
    }
}
