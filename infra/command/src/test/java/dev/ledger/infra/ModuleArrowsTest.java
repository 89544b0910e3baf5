package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The README's table of which code may use which, enforced over the main code of every module on
 * this module's test classpath (infra's tests see all of them; benchmarks never ships and is left
 * out). The table is read from the README, so the documented arrows and the checked ones cannot
 * drift apart.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModuleArrowsTest {

    private static final Pattern ROW = Pattern.compile(
            "^\\| ([a-z-]+) \\| `[a-z/-]+` \\| `(dev\\.ledger\\.[a-z.]+)` \\| ([a-z, -]+) \\|$");

    /** Only main code: test classes, test jars and the benchmarks are not what ships. */
    private static final ImportOption MAIN_CODE_ONLY = location -> !location.contains("/test-classes/")
            && !location.contains("-tests.jar") && !location.contains("/benchmarks/");

    /** An area of the code: its package prefix and the areas it may use. */
    private record Area(String name, String packagePrefix, Set<String> mayUse) {
    }

    private static Map<String, Area> areas;
    private static JavaClasses classes;

    @BeforeAll
    static void readTheTableAndTheClasses() throws IOException {
        areas = readTable(Path.of("..", "..", "README.md"));
        classes = new ClassFileImporter().withImportOption(MAIN_CODE_ONLY).importPackages("dev.ledger");
    }

    @Test
    void the_table_names_every_area_it_allows_and_the_classes_of_every_area_are_found() {
        for (Area area : areas.values()) {
            assertThat(areas.keySet()).as("areas " + area.name() + " may use").containsAll(area.mayUse());
            assertThat(classes.stream().filter(c -> areaOf(c.getPackageName()).orElse(null) == area))
                    .as("main classes of area " + area.name() + " (" + area.packagePrefix() + ")").isNotEmpty();
        }
        List<String> unplaced = classes.stream()
                .filter(c -> !c.getPackageName().startsWith("dev.ledger.benchmarks"))
                .filter(c -> areaOf(c.getPackageName()).isEmpty()).map(JavaClass::getName).toList();
        assertThat(unplaced).as("main classes in no area of the README's table").isEmpty();
    }

    @Test
    void every_area_uses_only_what_the_readme_allows() {
        for (Area area : areas.values()) {
            ArchRuleDefinition.classes().that(inArea(area)).should().onlyDependOnClassesThat(allowedFor(area))
                    .because("the README's table says " + area.name() + " may use "
                            + (area.mayUse().isEmpty() ? "nothing of ours" : String.join(", ", area.mayUse())))
                    .check(classes);
        }
    }

    private static DescribedPredicate<JavaClass> inArea(Area area) {
        return DescribedPredicate.describe("are in area " + area.name(),
                c -> areaOf(c.getPackageName()).orElse(null) == area);
    }

    private static DescribedPredicate<JavaClass> allowedFor(Area area) {
        return DescribedPredicate.describe("are outside dev.ledger, in " + area.name() + " or in "
                + area.mayUse(), c -> {
                    if (!c.getPackageName().startsWith("dev.ledger")) {
                        return true;
                    }
                    Optional<Area> other = areaOf(c.getPackageName());
                    return other.isPresent() && (other.get() == area || area.mayUse().contains(other.get().name()));
                });
    }

    /** The area with the longest package prefix that holds this package. */
    private static Optional<Area> areaOf(String packageName) {
        return areas.values().stream()
                .filter(a -> packageName.equals(a.packagePrefix()) || packageName.startsWith(a.packagePrefix() + "."))
                .max(Comparator.comparingInt(a -> a.packagePrefix().length()));
    }

    private static Map<String, Area> readTable(Path readme) throws IOException {
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String table = text.substring(text.indexOf("<!-- arrows:start -->"), text.indexOf("<!-- arrows:end -->"));
        Map<String, Area> read = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| area ") || line.startsWith("|---")) {
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!row.matches()) {
                unreadable.add(line);
                continue;
            }
            Set<String> mayUse = new LinkedHashSet<>();
            if (!row.group(3).trim().equals("-")) {
                for (String name : row.group(3).split(",")) {
                    mayUse.add(name.trim());
                }
            }
            read.put(row.group(1), new Area(row.group(1), row.group(2), mayUse));
        }
        assertThat(unreadable).as("rows of the README's arrows table this test cannot read").isEmpty();
        assertThat(read).as("areas in the README's arrows table").hasSizeGreaterThan(5);
        return read;
    }
}
