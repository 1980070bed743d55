package io.dpo4j.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PluginJarLimits: a zip bomb is refused before anything is inflated")
class PluginJarLimitsTest {

    @TempDir
    Path dir;

    Path jar(String name, int megabytes) throws Exception {
        Path jar = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry(ObjectiveRegistry.SERVICES_FILE));
            byte[] mb = new byte[1 << 20];
            for (int i = 0; i < megabytes; i++) {
                zip.write(mb);
            }
            zip.closeEntry();
        }
        return jar;
    }

    @Test
    @DisplayName("an entry inflating to 65 MiB, or 2 MiB at a ratio over 200, is refused naming it; a small jar passes")
    void limits() throws Exception {
        try (JarFile big = new JarFile(jar("big.jar", 65).toFile())) {
            assertThat(PluginJarLimits.check(big)).get().asString().contains(ObjectiveRegistry.SERVICES_FILE)
                    .contains("inflates to 65 MiB, over the 64 MiB limit");
        }
        try (JarFile dense = new JarFile(jar("dense.jar", 2).toFile())) {
            assertThat(PluginJarLimits.check(dense)).get().asString().contains("-fold");
        }
        try (JarFile small = new JarFile(jar("small.jar", 0).toFile())) {
            assertThat(PluginJarLimits.check(small)).isEmpty();
        }
    }

    @Test
    @DisplayName("through discovery the bomb is one load problem; the class path's objectives stay usable")
    void discovery() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(jar("bomb.jar", 80), plugins.resolve("bomb.jar"));
        ObjectiveRegistry registry = ObjectiveRegistry.discover(getClass().getClassLoader(), java.util.List.of(plugins));
        assertThat(registry.problems()).hasSize(1);
        assertThat(registry.problems().get(0).toString()).contains("bomb.jar").contains("zip bomb");
    }
}
