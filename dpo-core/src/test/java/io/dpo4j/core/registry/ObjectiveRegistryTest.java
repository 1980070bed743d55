package io.dpo4j.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.core.objective.DpoObjective;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ObjectiveRegistry: discovery that fails loudly")
class ObjectiveRegistryTest {

    @TempDir
    Path dir;

    private static final String T = TestObjectives.class.getName() + "$";

    /** A class loader whose class path adds a services file listing {@code classes}. */
    private ClassLoader withServices(String... classes) throws IOException {
        Path services = dir.resolve("cp").resolve(ObjectiveRegistry.SERVICES_FILE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, String.join("\n", classes) + "\n", StandardCharsets.UTF_8);
        return new URLClassLoader(new URL[] {dir.resolve("cp").toUri().toURL()}, getClass().getClassLoader());
    }

    private Path jar(String name, String... classes) throws IOException {
        Path jar = dir.resolve("plugins").resolve(name);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            if (classes.length > 0) {
                out.putNextEntry(new JarEntry(ObjectiveRegistry.SERVICES_FILE));
                out.write(("# providers\n" + String.join("\n", classes) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            } else {
                out.putNextEntry(new JarEntry("README.txt"));
                out.write("nothing here".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Nested
    @DisplayName("on the class path")
    class ClassPath {

        @Test
        @DisplayName("finds dpo, the objective that ships in dpo-core, with its jar")
        void findsDpo() {
            ObjectiveRegistry r = ObjectiveRegistry.discover();
            assertThat(r.ids()).contains("dpo");
            assertThat(r.find("dpo")).get().satisfies(o -> {
                assertThat(o.objective()).isInstanceOf(DpoObjective.class);
                assertThat(o.origin().plugin()).isFalse();
                assertThat(o.origin().location()).isPresent();
            });
            assertThat(r.problems()).isEmpty();
        }

        @Test
        @DisplayName("a provider whose constructor throws is named, and the others stay usable")
        void throwingProvider() throws IOException {
            ObjectiveRegistry r = ObjectiveRegistry.discover(withServices(T + "Throwing", T + "Good"), List.of());
            assertThat(r.ids()).contains("dpo", "good-plugin");
            assertThat(r.problems()).singleElement().satisfies(p -> {
                assertThat(p.toString()).contains("TestObjectives$Throwing").contains("boom in constructor");
            });
        }

        @Test
        @DisplayName("a listed class that does not exist is named")
        void missingClass() throws IOException {
            ObjectiveRegistry r = ObjectiveRegistry.discover(withServices("com.example.Nope"), List.of());
            assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.toString()).contains("com.example.Nope"));
            assertThat(r.ids()).contains("dpo");
        }

        @Test
        @DisplayName("two providers of one id are both refused, and the error names both classes")
        void duplicates() throws IOException {
            ObjectiveRegistry r = ObjectiveRegistry.discover(withServices(T + "TwinA", T + "TwinB"), List.of());
            assertThat(r.ids()).doesNotContain("twin");
            assertThat(r.problems()).hasSize(2).allSatisfy(p -> assertThat(p.message())
                    .contains("duplicate objective id 'twin'").contains("TwinA").contains("TwinB"));
            assertThatThrownBy(() -> r.require("twin")).isInstanceOf(UnknownObjectiveException.class)
                    .hasMessageContaining("'twin' was found but refused").hasMessageContaining("TwinB");
        }

        @Test
        @DisplayName("an invalid id and an incompatible SPI are refused with the reason")
        void invalidIdAndIncompatible() throws IOException {
            ObjectiveRegistry r = ObjectiveRegistry.discover(withServices(T + "BadId", T + "Incompatible"),
                    List.of());
            assertThat(r.ids()).containsExactly("dpo");
            assertThat(r.problems()).extracting(LoadProblem::message).anySatisfy(m -> assertThat(m)
                    .contains("invalid objective id 'Bad Id'")).anySatisfy(m -> assertThat(m)
                    .contains("incompatible with this dpo-api (SPI version 1)"));
        }
    }

    @Nested
    @DisplayName("from plugin jars")
    class Plugins {

        @Test
        @DisplayName("loads a plugin jar's objectives and records the jar as their origin")
        void loadsPlugin() throws IOException {
            Path jar = jar("good.jar", T + "Good");
            ObjectiveRegistry r = ObjectiveRegistry.discover(getClass().getClassLoader(), List.of(jar.getParent()));
            assertThat(r.find("good-plugin")).get().satisfies(o -> {
                assertThat(o.origin().plugin()).isTrue();
                assertThat(o.origin().location()).contains(jar);
            });
            assertThat(r.problems()).isEmpty();
        }

        @Test
        @DisplayName("a broken jar next to a good one is named, and the good one still works")
        void brokenJar() throws IOException {
            jar("good.jar", T + "Good");
            Path broken = dir.resolve("plugins").resolve("broken.jar");
            Files.write(broken, new byte[] {1, 2, 3, 4, 5});
            Path notPlugin = jar("other.jar");
            Path throwing = jar("throwing.jar", T + "Throwing", "com.example.Missing");
            ObjectiveRegistry r = ObjectiveRegistry.discover(getClass().getClassLoader(), List.of(broken.getParent()));
            assertThat(r.ids()).contains("dpo", "good-plugin");
            assertThat(r.problems()).extracting(LoadProblem::toString)
                    .anySatisfy(s -> assertThat(s).contains(broken.toString()).contains("not a valid jar file"))
                    .anySatisfy(s -> assertThat(s).contains(notPlugin.toString()).contains("not an objective plugin"))
                    .anySatisfy(s -> assertThat(s).contains(throwing.toString()).contains("constructor threw")
                            .contains("boom in constructor"))
                    .anySatisfy(s -> assertThat(s).contains("com.example.Missing").contains("class not found"));
        }

        @Test
        @DisplayName("a plugin whose id clashes with a built-in is an error naming both")
        void clashWithBuiltIn() throws IOException {
            Path jar = jar("clash.jar", T + "TwinA");
            ClassLoader cp = withServices(T + "TwinB");
            ObjectiveRegistry r = ObjectiveRegistry.discover(cp, List.of(jar));
            assertThat(r.problems()).extracting(LoadProblem::message).allSatisfy(m -> assertThat(m)
                    .contains("TwinA").contains("TwinB").contains(jar.toString())
                    .contains("duplicate objective id 'twin'").contains("neither is used until one is removed")
                    .contains("'twin' is a built-in objective: a plugin must not reuse a built-in id"));
            assertThat(r.ids()).doesNotContain("twin");
            assertThatThrownBy(() -> r.require("twin")).isInstanceOf(UnknownObjectiveException.class)
                    .hasMessageContaining("'twin' was found but refused")
                    .hasMessageContaining("a plugin must not reuse a built-in id");
        }

        @Test
        @DisplayName("a plugin folder that does not exist is an error")
        void missingFolder() {
            assertThatThrownBy(() -> ObjectiveRegistry.discover(getClass().getClassLoader(),
                    List.of(dir.resolve("nowhere")))).isInstanceOf(PluginPathException.class)
                    .hasMessageContaining("nowhere").hasMessageContaining("does not exist");
        }
    }

    @Test
    @DisplayName("no usable objective at all is an error that says which jars to add")
    void nothingFound() {
        assertThatThrownBy(() -> ObjectiveRegistry.of(List.of())).isInstanceOf(NoObjectivesException.class)
                .hasMessageContaining("dpo-core").hasMessageContaining("dpo-ipo").hasMessageContaining("--plugins");
    }

    @Test
    @DisplayName("an unknown id lists the known ones, with a 'did you mean'")
    void unknownId() {
        ObjectiveRegistry r = ObjectiveRegistry.of(List.of(new DpoObjective(), new TestObjectives.Good()));
        assertThatThrownBy(() -> r.require("dpoo")).isInstanceOf(UnknownObjectiveException.class)
                .hasMessage("unknown objective 'dpoo' (did you mean 'dpo'?); known objectives: dpo, good-plugin");
        assertThatThrownBy(() -> r.require("sigmoid")).hasMessageStartingWith(
                "unknown objective 'sigmoid' (did you mean 'dpo'? 'sigmoid' is TRL's name for it)");
    }
}
