package io.dpo4j.core.registry;

import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Suggestions;
import io.dpo4j.core.io.InputFiles;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every preference objective this process can use, discovered once: from the application class path
 * with {@link ServiceLoader}, and from plugin jars, each through its own class loader.
 *
 * <p>Discovery fails loudly and never lets "the first one win": a provider that cannot be loaded or
 * constructed, describes itself with an invalid id, or is incompatible with this SPI becomes a
 * {@link LoadProblem} naming its class and jar; two providers with one id are both refused, and the
 * problem names both classes. Other objectives stay usable. No usable objective at all is an error
 * ({@link NoObjectivesException}) that says which jars to add.
 */
public final class ObjectiveRegistry {

    /** The resource that lists an objective plugin's provider classes. */
    public static final String SERVICES_FILE = "META-INF/services/" + PreferenceObjective.class.getName();

    /**
     * TRL {@code loss_type} names that differ from this project's ids: the "did you mean" of an
     * unknown id names the objective (when it is available).
     */
    private static final Map<String, String> TRL_NAMES = Map.of("sigmoid", "dpo", "aot_unpaired", "aot_pair");

    private final Map<String, RegisteredObjective> byId;
    private final List<LoadProblem> problems;

    private ObjectiveRegistry(Map<String, RegisteredObjective> byId, List<LoadProblem> problems) {
        this.byId = byId;
        this.problems = List.copyOf(problems);
    }

    /** The objectives on the application class path (the class loader of this class). */
    public static ObjectiveRegistry discover() {
        return discover(ObjectiveRegistry.class.getClassLoader(), List.of());
    }

    /**
     * The objectives on {@code classLoader}'s class path and in every jar of the plugin folders.
     *
     * @param classLoader loader searched with ServiceLoader; also the parent of every plugin loader
     * @param pluginPaths folders of plugin jars, or single jars
     * @throws PluginPathException when a plugin path does not exist or cannot be listed
     * @throws NoObjectivesException when nothing usable was found
     */
    public static ObjectiveRegistry discover(ClassLoader classLoader, List<Path> pluginPaths) {
        List<Candidate> candidates = new ArrayList<>();
        List<LoadProblem> problems = new ArrayList<>();
        loadFromClassPath(classLoader, candidates, problems);
        for (Path path : pluginPaths) {
            for (Path jar : pluginJars(path)) {
                loadPlugin(jar, classLoader, candidates, problems);
            }
        }
        return build(candidates, problems);
    }

    /** A registry of an explicit list of objectives (tests, embedding), validated like discovered ones. */
    public static ObjectiveRegistry of(Collection<? extends PreferenceObjective> objectives) {
        List<Candidate> candidates = new ArrayList<>();
        List<LoadProblem> problems = new ArrayList<>();
        for (PreferenceObjective o : objectives) {
            ObjectiveOrigin origin = ObjectiveOrigin.builtIn(o.getClass());
            validate(o, origin, candidates, problems);
        }
        return build(candidates, problems);
    }

    private record Candidate(String id, RegisteredObjective registered) {
    }

    private static ObjectiveRegistry build(List<Candidate> candidates, List<LoadProblem> problems) {
        Map<String, List<Candidate>> grouped = candidates.stream()
                .collect(Collectors.groupingBy(Candidate::id, TreeMap::new, Collectors.toList()));
        Map<String, RegisteredObjective> byId = new LinkedHashMap<>();
        for (Map.Entry<String, List<Candidate>> e : grouped.entrySet()) {
            List<Candidate> same = e.getValue();
            if (same.size() == 1) {
                byId.put(e.getKey(), same.get(0).registered());
                continue;
            }
            String message = clashMessage(e.getKey(), same);
            for (Candidate c : same) {
                problems.add(new LoadProblem(c.registered().origin().describe(),
                        c.registered().objective().getClass().getName(), Optional.of(e.getKey()), message));
            }
        }
        if (byId.isEmpty()) {
            throw new NoObjectivesException(problems);
        }
        return new ObjectiveRegistry(byId, problems);
    }

    /**
     * The documented clash message: every provider of the id with its class and origin, and what to
     * do. A plugin that reuses a built-in id (for example an old plugin shipping {@code hinge}, now a
     * built-in of the zoo) is told to rename its objective; the id is refused for all of them, so
     * that which implementation runs never depends on class-path order.
     */
    private static String clashMessage(String id, List<Candidate> same) {
        String all = same.stream().map(c -> c.registered().objective().getClass().getName() + " ("
                + c.registered().origin().describe() + ")").collect(Collectors.joining(" and "));
        boolean builtIn = same.stream().anyMatch(c -> !c.registered().origin().plugin());
        boolean plugin = same.stream().anyMatch(c -> c.registered().origin().plugin());
        String advice = builtIn && plugin
                ? "'" + id + "' is a built-in objective: a plugin must not reuse a built-in id; give the plugin's "
                        + "objective another id (or remove the plugin jar), and the built-in is usable again"
                : "ids must be unique: remove one provider or give it another id";
        return "duplicate objective id '" + id + "', provided by " + all + "; neither is used until one is removed. "
                + advice;
    }

    private static void loadFromClassPath(ClassLoader loader, List<Candidate> candidates, List<LoadProblem> problems) {
        Iterator<PreferenceObjective> it = ServiceLoader.load(PreferenceObjective.class, loader).iterator();
        int failures = 0;
        while (failures < 1000) {
            PreferenceObjective o;
            try {
                if (!it.hasNext()) {
                    break;
                }
                o = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
                problems.add(new LoadProblem("the class path", providerName(e), Optional.empty(),
                        "cannot be loaded: " + describe(e)));
                continue;
            }
            validate(o, ObjectiveOrigin.builtIn(o.getClass()), candidates, problems);
        }
    }

    private static List<Path> pluginJars(Path path) {
        if (!Files.exists(path)) {
            throw new PluginPathException("plugin folder " + path + " does not exist");
        }
        if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().endsWith(".jar")) {
                throw new PluginPathException("plugin path " + path + " is neither a folder nor a .jar file");
            }
            return List.of(path);
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new PluginPathException("cannot list plugin folder " + path + ": " + e.getMessage());
        }
    }

    private static void loadPlugin(Path jar, ClassLoader parent, List<Candidate> candidates,
            List<LoadProblem> problems) {
        String source = "plugin " + jar;
        List<String> classNames;
        try (java.util.jar.JarFile jarFile = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.JarEntry services = jarFile.getJarEntry(SERVICES_FILE);
            if (services == null) {
                problems.add(new LoadProblem(source, null, Optional.empty(),
                        "not an objective plugin: it has no " + SERVICES_FILE));
                return;
            }
            Optional<String> bomb = PluginJarLimits.check(jarFile);
            if (bomb.isPresent()) {
                problems.add(new LoadProblem(source, null, Optional.empty(), bomb.get()));
                return;
            }
            try (var in = jarFile.getInputStream(services)) {
                classNames = new String(InputFiles.readAtMost(in, InputFiles.SERVICES_FILE_BYTES, SERVICES_FILE,
                        "a services file"), java.nio.charset.StandardCharsets.UTF_8).lines()
                        .map(l -> l.replaceFirst("#.*", "").trim()).filter(l -> !l.isEmpty()).toList();
            } catch (io.dpo4j.core.DpoException e) {
                problems.add(new LoadProblem(source, null, Optional.empty(), e.getMessage()));
                return;
            }
        } catch (IOException e) {
            problems.add(new LoadProblem(source, null, Optional.empty(),
                    "not a valid jar file (" + e.getMessage() + ")"));
            return;
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, parent);
        } catch (MalformedURLException e) {
            problems.add(new LoadProblem(source, null, Optional.empty(), "bad path: " + e.getMessage()));
            return;
        }
        if (classNames.isEmpty()) {
            problems.add(new LoadProblem(source, null, Optional.empty(), SERVICES_FILE + " lists no class"));
        }
        for (String name : classNames) {
            try {
                Class<?> type = Class.forName(name, true, loader);
                if (!PreferenceObjective.class.isAssignableFrom(type)) {
                    problems.add(new LoadProblem(source, name, Optional.empty(),
                            "does not implement " + PreferenceObjective.class.getName()
                                    + " (or was compiled against another copy of dpo-api)"));
                    continue;
                }
                PreferenceObjective o = (PreferenceObjective) type.getConstructor().newInstance();
                validate(o, ObjectiveOrigin.plugin(jar), candidates, problems);
            } catch (ClassNotFoundException e) {
                problems.add(new LoadProblem(source, name, Optional.empty(), "class not found in the jar"));
            } catch (NoSuchMethodException e) {
                problems.add(new LoadProblem(source, name, Optional.empty(),
                        "has no public no-argument constructor"));
            } catch (java.lang.reflect.InvocationTargetException e) {
                problems.add(new LoadProblem(source, name, Optional.empty(),
                        "its constructor threw " + describe(e.getCause())));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                problems.add(new LoadProblem(source, name, Optional.empty(), "cannot be loaded: " + describe(e)));
            } catch (OutOfMemoryError e) {
                problems.add(new LoadProblem(source, name, Optional.empty(),
                        "ran out of memory while loading (a class or static initialiser too large?)"));
            }
        }
    }

    private static void validate(PreferenceObjective o, ObjectiveOrigin origin, List<Candidate> candidates,
            List<LoadProblem> problems) {
        String className = o.getClass().getName();
        String id;
        try {
            id = o.id();
            if (id == null || !AbstractObjective.ID.matcher(id).matches()) {
                problems.add(new LoadProblem(origin.describe(), className, Optional.ofNullable(id),
                        "invalid objective id '" + id + "': ids must match " + AbstractObjective.ID.pattern()));
                return;
            }
            o.description();
            o.hyperparameters();
            o.requirements();
            o.configureDefaults();
        } catch (IncompatibleClassChangeError | NoClassDefFoundError e) {
            problems.add(new LoadProblem(origin.describe(), className, Optional.empty(),
                    "incompatible with this dpo-api (SPI version " + PreferenceObjective.SPI_VERSION + "): "
                            + describe(e)));
            return;
        } catch (RuntimeException | LinkageError e) {
            problems.add(new LoadProblem(origin.describe(), className, Optional.empty(),
                    "failed while describing itself: " + describe(e)));
            return;
        }
        candidates.add(new Candidate(id, new RegisteredObjective(o, origin)));
    }

    private static String providerName(Throwable e) {
        String m = e.getMessage();
        if (m != null && m.contains("Provider ")) {
            String rest = m.substring(m.indexOf("Provider ") + 9);
            int space = rest.indexOf(' ');
            return space > 0 ? rest.substring(0, space) : rest;
        }
        return null;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            if (depth > 0) {
                sb.append("; caused by ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }

    /** Every usable objective, sorted by id. */
    public List<RegisteredObjective> objectives() {
        return List.copyOf(byId.values());
    }

    /** The ids of every usable objective, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** Providers that could not be used, in discovery order. */
    public List<LoadProblem> problems() {
        return problems;
    }

    /** The objective with this id, if usable. */
    public Optional<RegisteredObjective> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * The objective with this id.
     *
     * @throws UnknownObjectiveException listing the known ids, a "did you mean", and any load
     *     problem concerning that id
     */
    public PreferenceObjective require(String id) {
        RegisteredObjective r = byId.get(id);
        if (r != null) {
            return r.objective();
        }
        throw unknown(id, byId.keySet(), problems);
    }

    /** The error for an unknown id, shared with {@link ObjectiveSelector}. */
    static UnknownObjectiveException unknown(String id, Collection<String> known, List<LoadProblem> problems) {
        String alias = TRL_NAMES.get(id);
        String suggestion = alias != null && known.contains(alias)
                ? " (did you mean '" + alias + "'? '" + id + "' is TRL's name for it)"
                : Suggestions.didYouMean(id, known);
        StringBuilder sb = new StringBuilder("unknown objective '" + id + "'" + suggestion
                + "; known objectives: " + String.join(", ", known));
        problems.stream().filter(p -> p.id().map(id::equals).orElse(false))
                .forEach(p -> sb.append("\n  '").append(id).append("' was found but refused: ").append(p));
        if (problems.stream().anyMatch(p -> p.id().isEmpty())) {
            sb.append("\n  (some providers failed to load; run 'dpo objectives' to see them)");
        }
        return new UnknownObjectiveException(id, sb.toString());
    }
}
