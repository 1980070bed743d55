/** The {@code dpo} command line (picocli): objectives, loss, score, and the commands the other packages add. */
package io.dpo4j.cli;
