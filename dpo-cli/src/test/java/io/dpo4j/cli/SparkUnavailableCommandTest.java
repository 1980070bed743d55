package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dpo spark without the dpo-spark module")
class SparkUnavailableCommandTest {

    @Test
    @DisplayName("says in one line how to run it (./dpo spark or spark-submit), exit 1; the other commands need no Spark")
    void oneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("spark", "score", "--master", "local[2]");
        assertThat(exit).isEqualTo(DpoCli.USER_ERROR);
        assertThat(err.toString().strip()).startsWith("error: dpo spark needs the dpo-spark module")
                .contains("./dpo spark").contains("spark-submit").doesNotContain("\n");
    }
}
