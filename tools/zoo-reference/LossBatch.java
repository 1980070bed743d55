import io.dpo4j.bench.DpoMain;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs {@code dpo loss --input FILE [extra args]} for many files in one JVM (exactly the command
 * line's code path, without a JVM start per case) and prints one line per file:
 * {@code FILE<TAB>EXIT<TAB>STDOUT-AS-ONE-LINE}. Used by check_dpo_loss.py --one-jvm.
 */
public final class LossBatch {
    public static void main(String[] args) {
        for (String file : args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = DpoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("loss", "--input", file);
            String text = code == 0 ? out.toString() : err.toString();
            System.out.println(file + "\t" + code + "\t" + text.replace('\n', ' '));
        }
    }
}
