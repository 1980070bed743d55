package io.dpo4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of this build and of what it runs on, for provenance and {@code dpo --version}. */
public final class Versions {

    private static final Properties BUILD = load();

    private Versions() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // keep the defaults below
        }
        return p;
    }

    /** This project's version. */
    public static String dpo4j() {
        return BUILD.getProperty("version", "unknown");
    }

    /** DJL's version. */
    public static String djl() {
        return BUILD.getProperty("djl", "unknown");
    }

    /** The PyTorch (libtorch) version DJL runs. */
    public static String pytorch() {
        return BUILD.getProperty("pytorch", "unknown");
    }

    /** The Java runtime's version. */
    public static String java() {
        return System.getProperty("java.version");
    }
}
