package io.dpo4j.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.logging.Logger;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Attention through libtorch's fused {@code scaled_dot_product_attention}: {@code softmax(q·kᵀ/√D + bias)·v}
 * computed block by block (libtorch's CPU flash-attention kernel), so neither the scores nor the probabilities
 * are ever materialised. Under autograd the graph keeps the output and one log-sum-exp per query instead of the
 * probabilities, and backward recomputes them block by block (FlashAttention, Dao et al. 2022, "FlashAttention:
 * Fast and Memory-Efficient Exact Attention with IO-Awareness"). Measured at SmolLM2-135M's attention shape
 * (4 rows of 448 tokens, 9 heads of 64, 30 layers, docs/performance.md): the graph held 119 MiB instead of the
 * eager path's 2,718 MiB, and forward + backward took 2.5 s instead of 4.4 s.
 *
 * <p>DJL 0.36 binds no such operator, but it runs TorchScript modules with autograd on. This class writes a
 * one-method TorchScript archive whose source calls the operator (TorchScript compiles an archive's source
 * when it loads it, so the archive is a few hundred bytes: the source and two constant pickles), loads it
 * once per process and calls it. The caller passes grouped-query attention already grouped — queries
 * {@code B×kvH×(group·T)×D} against keys and values {@code B×kvH×S×D}, the bias tiled to match — because the
 * operator's own {@code enable_gqa} falls back to the unfused path on the CPU. If the engine cannot load the
 * module, {@link #available()} is false and the model uses its eager attention (logged once).
 */
final class FusedAttention {

    private static final Logger LOG = Logger.getLogger(FusedAttention.class.getName());

    /** {@code q, k, v, bias} → the attention output; the scale is the operator's default {@code D^-0.5}. */
    private static final String SOURCE = "class Attention(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def forward(self: __torch__.Attention,\n"
            + "    q: Tensor,\n"
            + "    k: Tensor,\n"
            + "    v: Tensor,\n"
            + "    bias: Tensor) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, bias)\n";

    /** The module object's pickle: an instance of {@code __torch__.Attention} whose state is {training: True}. */
    private static final String DATA_PICKLE = "8002635f5f746f7263685f5f0a417474656e74696f6e0a710029817d28580800"
            + "0000747261696e696e67710188756271022e";

    /** The archive's constant table: an empty tuple. */
    private static final String CONSTANTS_PICKLE = "8002292e";

    private static volatile Holder holder;

    private FusedAttention() {
    }

    /** True when the fused operator loaded (once per process). */
    static boolean available() {
        return holder().block != null;
    }

    /**
     * The attention output {@code B×G×T×D} of queries {@code B×G×T×D}, keys and values {@code B×G×S×D} and an
     * additive bias broadcastable to {@code B×G×T×S}, on the queries' manager. Records for autograd when a
     * gradient collector is open and an input requires a gradient, as any operator does.
     */
    static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias) {
        PtSymbolBlock block = holder().block;
        if (block == null) {
            throw new IllegalStateException("the fused attention operator is not available");
        }
        // training = true: DJL otherwise runs the module with autograd off; a pass without a collector records
        // nothing either way, because the operator follows the thread's gradient mode.
        return block.forward(new ParameterStore(q.getManager(), false), new NDList(q, k, v, bias), true)
                .singletonOrThrow();
    }

    private static Holder holder() {
        Holder h = holder;
        if (h == null) {
            synchronized (FusedAttention.class) {
                h = holder;
                if (h == null) {
                    h = load();
                    holder = h;
                }
            }
        }
        return h;
    }

    private static Holder load() {
        // The module lives as long as the process: a manager of its own, never closed.
        PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
        try {
            return new Holder(JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false));
        } catch (IOException | RuntimeException e) {
            manager.close();
            LOG.warning("fused attention unavailable (" + e.getMessage() + "); using the eager attention");
            return new Holder(null);
        }
    }

    /** The TorchScript archive: {@code a/data.pkl}, {@code a/code/__torch__.py}, constants, format version 3. */
    static byte[] archive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "a/data.pkl", HexFormat.of().parseHex(DATA_PICKLE));
            stored(zip, "a/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "a/constants.pkl", HexFormat.of().parseHex(CONSTANTS_PICKLE));
            stored(zip, "a/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    private record Holder(PtSymbolBlock block) {
    }
}
