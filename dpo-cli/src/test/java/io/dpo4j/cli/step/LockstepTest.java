package io.dpo4j.cli.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.core.DpoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lockstep runner against two tiny shell rows that speak its protocol and log when they run. */
@DisplayName("bench-step --interleave: two rows take their timed steps one at a time, ABBA")
class LockstepTest {

    /** A row: set-up logged, then per step WAIT / read / log the step, then WAIT / read / log the probe, ROW. */
    private static ProcessBuilder row(String name, int steps, Path log) {
        String script = "echo \"" + name + " setup\" >> " + log + "; "
                + "for i in $(seq 1 " + steps + "); do echo WAIT; read go; echo \"" + name + " step $i\" >> " + log
                + "; echo noise; done; "
                + "echo WAIT; read go; echo \"" + name + " probe\" >> " + log + "; "
                + "echo 'ROW {\"implementation\":\"" + name + "\"}'";
        return new ProcessBuilder("bash", "-c", script);
    }

    @Test
    @DisplayName("set-up alone (A, then B), steps A B, B A, A B, then each probe in turn; both ROW lines returned")
    void alternates(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        List<Integer> order = new ArrayList<>();
        String[] rows = Lockstep.run("a", row("a", 3, log), "b", row("b", 3, log), 3, order);
        assertThat(rows).containsExactly("{\"implementation\":\"a\"}", "{\"implementation\":\"b\"}");
        assertThat(order).containsExactly(0, 1, 1, 0, 0, 1);
        assertThat(Files.readAllLines(log)).containsExactly("a setup", "b setup", "a step 1", "b step 1", "b step 2",
                "a step 2", "a step 3", "b step 3", "a probe", "b probe");
    }

    @Test
    @DisplayName("a row that dies before its turn stops the run with one error naming it (no hang)")
    void deadRow(@TempDir Path dir) {
        ProcessBuilder dead = new ProcessBuilder("bash", "-c", "echo WAIT; read go; exit 3");
        assertThatThrownBy(() -> Lockstep.run("a", row("a", 2, dir.resolve("log")), "b", dead, 2, null))
                .isInstanceOf(DpoException.class).hasMessageContaining("row b exited with 3");
    }
}
