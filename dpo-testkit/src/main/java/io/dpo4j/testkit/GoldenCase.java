package io.dpo4j.testkit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dpo4j.api.check.LossCase;
import io.dpo4j.api.check.LossCaseReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A golden value: a loss case (the {@code dpo loss} input format) and the loss and gradients computed
 * independently in float64, read from {@code NAME.json} and {@code NAME.expected.json}.
 *
 * @param name the case's file name without extension
 * @param input the loss case
 * @param loss the expected loss
 * @param gradients the expected gradient per policy statistic key
 */
public record GoldenCase(String name, LossCase input, double loss, Map<String, double[]> gradients) {

    /** Every golden case in a class-path folder (a directory or a folder inside a jar), sorted by name. */
    public static List<GoldenCase> load(ClassLoader loader, String folder) throws IOException {
        List<GoldenCase> cases = new ArrayList<>();
        Enumeration<URL> urls = loader.getResources(folder);
        while (urls.hasMoreElements()) {
            URL url = urls.nextElement();
            try {
                URI uri = url.toURI();
                if ("jar".equals(uri.getScheme())) {
                    FileSystem fs;
                    try {
                        fs = FileSystems.getFileSystem(uri);
                    } catch (FileSystemNotFoundException e) {
                        fs = FileSystems.newFileSystem(uri, Map.of());
                    }
                    collect(fs.provider().getPath(uri), cases);
                } else {
                    collect(Path.of(uri), cases);
                }
            } catch (URISyntaxException e) {
                throw new IOException("bad class-path URL " + url, e);
            }
        }
        cases.sort((a, b) -> a.name().compareTo(b.name()));
        return cases;
    }

    private static void collect(Path dir, List<GoldenCase> out) throws IOException {
        List<Path> inputs;
        try (Stream<Path> files = Files.list(dir)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().endsWith(".expected.json")).sorted().toList();
        }
        for (Path input : inputs) {
            String file = input.getFileName().toString();
            String name = file.substring(0, file.length() - ".json".length());
            Path expected = input.resolveSibling(name + ".expected.json");
            if (!Files.exists(expected)) {
                throw new IOException("golden case " + input + " has no " + expected.getFileName());
            }
            LossCase lossCase = LossCaseReader.parse(input.toString(), read(input));
            JsonObject e = JsonParser.parseString(read(expected)).getAsJsonObject();
            Map<String, double[]> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> g : e.getAsJsonObject("gradients").entrySet()) {
                JsonArray arr = g.getValue().getAsJsonArray();
                double[] v = new double[arr.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = arr.get(i).getAsDouble();
                }
                gradients.put(g.getKey(), v);
            }
            out.add(new GoldenCase(name, lossCase, e.get("loss").getAsDouble(), gradients));
        }
    }

    private static String read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
