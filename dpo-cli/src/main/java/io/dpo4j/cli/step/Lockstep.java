package io.dpo4j.cli.step;

import io.dpo4j.core.DpoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs two benchmark rows side by side, one timed step at a time: each process sets up and warms up alone, then
 * waits; the timed steps alternate between them in ABBA order (A B, B A, A B, …), so a change in the machine's
 * speed during the run (this VM's cores drift by ±15% from minute to minute) falls on both rows alike, and a
 * ratio of their median steps compares steps taken moments apart. Only one process computes at a time; the
 * waiting one holds its memory and no CPU.
 *
 * <p>The protocol, on each child's standard output and input: the child prints {@code WAIT} (a line) before each
 * timed step and once after the last, and reads a line before going on; after the last it measures what it
 * measures after its steps and prints its {@code ROW} line. Other output lines are ignored; standard error is
 * inherited.
 */
final class Lockstep {

    static final String WAIT = "WAIT";

    private Lockstep() {
    }

    /** One side's process and its pipes. */
    private static final class Side implements AutoCloseable {
        final String name;
        final Process process;
        final BufferedReader out;
        final Writer in;

        Side(String name, ProcessBuilder builder) throws IOException {
            this.name = name;
            this.process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** Reads up to the next line starting with {@code prefix}; that line without the prefix. */
        String await(String prefix) throws IOException, InterruptedException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
            throw new DpoException("bench-step: the row " + name + " exited with " + process.waitFor() + " before its "
                    + (prefix.equals(WAIT) ? "next step" : "result") + " (its output is above)");
        }

        void go() throws IOException {
            in.write("go\n");
            in.flush();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * Runs {@code a} and {@code b} in lockstep for {@code steps} timed steps; their {@code ROW} lines (prefix
     * removed), {@code a}'s first. {@code order}, if not null, receives the side (0 or 1) of each timed step in the
     * order they ran.
     */
    static String[] run(String nameA, ProcessBuilder a, String nameB, ProcessBuilder b, int steps, List<Integer> order)
            throws IOException, InterruptedException {
        List<Integer> ran = order == null ? new ArrayList<>() : order;
        try (Side first = new Side(nameA, a)) {
            first.await(WAIT); // set up and warmed up, alone
            try (Side second = new Side(nameB, b)) {
                second.await(WAIT);
                Side[] sides = {first, second};
                for (int s = 0; s < steps; s++) {
                    // ABBA: A B, B A, A B, ...
                    int lead = s % 2;
                    for (int k = 0; k < 2; k++) {
                        int side = (lead + k) % 2;
                        sides[side].go();
                        sides[side].await(WAIT);
                        ran.add(side);
                    }
                }
                first.go();
                String rowA = first.await(StepRow.PREFIX);
                second.go();
                String rowB = second.await(StepRow.PREFIX);
                first.process.waitFor();
                second.process.waitFor();
                return new String[] {rowA, rowB};
            }
        }
    }
}
