package io.dpo4j.cli.step;

import io.dpo4j.cli.memory.RealShapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch-eager peer ({@code tools/step-peer/step_peer.py}): whether its interpreter imports torch, and
 * its command line. It runs without {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} (settings meant
 * for another BLAS that make Debian's OpenBLAS pick a slower kernel).
 */
final class PeerProcess {

    private PeerProcess() {
    }

    /** Empty when {@code python} imports torch; else why the peer is skipped. */
    static Optional<String> unavailable(String python) {
        try {
            ProcessBuilder pb = new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)")
                    .redirectErrorStream(true);
            scrub(pb);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("PyTorch-eager peer skipped: " + python + " did not import torch within 2 minutes");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).strip();
                String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
                return Optional.of("PyTorch-eager peer skipped: " + python + " cannot import torch (" + last
                        + "); on Debian: apt-get install python3-torch");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("PyTorch-eager peer skipped: no " + python + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("PyTorch-eager peer skipped: interrupted");
        }
    }

    /** The peer's command for one row. */
    static List<String> command(String python, Path script, RealShapes shape, String kind, int pairs, int prompt,
            int response, int steps, int warmup, int threads) {
        List<String> c = new ArrayList<>(List.of("env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", python,
                script.toString(), "--shape", shape.id(), "--kind", kind, "--pairs", String.valueOf(pairs), "--prompt",
                String.valueOf(prompt), "--response", String.valueOf(response), "--steps", String.valueOf(steps),
                "--warmup", String.valueOf(warmup)));
        c.add("--threads");
        c.add(String.valueOf(threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
        return c;
    }

    private static void scrub(ProcessBuilder pb) {
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
    }
}
