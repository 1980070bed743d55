package io.dpo4j.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The module direction is one-way — dpo-api ← variants; dpo-api ← dpo-core (library: engine and the
 * io.dpo4j.train API) ← dpo-bench (harness) ← dpo-cli (application): dpo-api and the variant modules
 * never see dpo-core, Guice or the PyTorch engine; the variants never see each other; the contract kit
 * never sees dpo-core; the library and the harness never see the command line, picocli, YAML or Guice
 * (the application's composition root is the only Guice user); the engine never sees the API above it.
 * And no code uses DJL's arithmetic with a {@link Number}, which is unsafe under autograd.
 */
@DisplayName("layering: dependencies point one way")
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Tests are not production code: neither this module's test classes nor dpo-core's test jar
        // (the reliability suite's fault ledger), which the reactor puts on the class path once packaged.
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.dpo4j");
    }

    /** The zoo's packages, io.dpo4j.zoo.NAME, one per module under zoo/. */
    private static final String[] ZOO = {"aot", "aotpair", "apodown", "apozero", "bcopair", "cpo", "discopop", "dpop",
        "exopair", "fdpo", "hinge", "ncapair", "rdpo", "robust", "sigmoidnorm", "sppohard"};

    private static final String[] FORBIDDEN_FOR_VARIANTS = {"io.dpo4j.core..", "com.google.inject..",
        "ai.djl.pytorch.."};

    @Test
    @DisplayName("dpo-api imports neither dpo-core, Guice, the PyTorch engine, nor any variant")
    void api() {
        noClasses().that().resideInAPackage("io.dpo4j.api..").should().dependOnClassesThat()
                .resideInAnyPackage("io.dpo4j.core..", "com.google.inject..", "ai.djl.pytorch..",
                        "io.dpo4j.ipo..", "io.dpo4j.kto..", "io.dpo4j.orpo..", "io.dpo4j.simpo..",
                        "io.dpo4j.zoo..", "io.dpo4j.testkit..", "io.dpo4j.bench..")
                .check(classes);
    }

    @Test
    @DisplayName("the variant modules import neither dpo-core, Guice nor the PyTorch engine")
    void variants() {
        noClasses().that().resideInAnyPackage("io.dpo4j.ipo..", "io.dpo4j.kto..", "io.dpo4j.orpo..",
                "io.dpo4j.simpo..", "io.dpo4j.zoo..").should().dependOnClassesThat().resideInAnyPackage(FORBIDDEN_FOR_VARIANTS)
                .check(classes);
    }

    @Test
    @DisplayName("the variants do not import each other")
    void variantsIndependent() {
        java.util.List<String> variants = new java.util.ArrayList<>(java.util.List.of("io.dpo4j.ipo..", "io.dpo4j.kto..",
                "io.dpo4j.orpo..", "io.dpo4j.simpo.."));
        for (String zoo : ZOO) {
            variants.add("io.dpo4j.zoo." + zoo + "..");
        }
        for (String self : variants) {
            String[] others = variants.stream().filter(p -> !p.equals(self)).toArray(String[]::new);
            noClasses().that().resideInAPackage(self).should().dependOnClassesThat().resideInAnyPackage(others)
                    .check(classes);
        }
    }

    @Test
    @DisplayName("the contract kit imports neither dpo-core, Guice nor the PyTorch engine")
    void testkit() {
        noClasses().that().resideInAPackage("io.dpo4j.testkit..").should().dependOnClassesThat()
                .resideInAnyPackage(FORBIDDEN_FOR_VARIANTS).check(classes);
    }

    @Test
    @DisplayName("no code uses DJL's NDArray arithmetic with a Number, whose scalar is freed before backward (use Scalars)")
    void noBorrowedScalars() {
        noClasses().that().resideInAPackage("io.dpo4j..")
                .should().callMethod(NDArray.class, "mul", Number.class)
                .orShould().callMethod(NDArray.class, "div", Number.class)
                .orShould().callMethod(NDArray.class, "pow", Number.class)
                .orShould().callMethod(NDArray.class, "maximum", Number.class)
                .orShould().callMethod(NDArray.class, "minimum", Number.class)
                .orShould().callMethod(NDArray.class, "rdiv", Number.class)
                .orShould().callMethod(NDArray.class, "rpow", Number.class)
                .because("DJL 0.36 wraps the number in a tensor borrowing a Java buffer and closes it at once; autograd "
                        + "reads it in backward after the garbage collector may have freed it (io.dpo4j.api.math.Scalars)")
                .check(classes);
    }

    @Test
    @DisplayName("dpo-core does not import the benchmark harness or the variants")
    void core() {
        noClasses().that().resideInAPackage("io.dpo4j.core..").should().dependOnClassesThat()
                .resideInAnyPackage("io.dpo4j.bench..", "io.dpo4j.ipo..", "io.dpo4j.kto..", "io.dpo4j.orpo..",
                        "io.dpo4j.simpo..", "io.dpo4j.zoo..")
                .check(classes);
    }

    @Test
    @DisplayName("the library (dpo-core and io.dpo4j.train) and the harness import neither the command line, picocli, YAML nor Guice")
    void libraryHasNoApplicationLayer() {
        noClasses().that().resideInAnyPackage("io.dpo4j.core..", "io.dpo4j.train..", "io.dpo4j.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("io.dpo4j.cli..", "picocli..",
                        "com.fasterxml.jackson.dataformat.yaml..", "org.yaml..", "com.google.inject..")
                .check(classes);
    }

    @Test
    @DisplayName("the engine (io.dpo4j.core) does not import the training API built on it")
    void engineBelowApi() {
        noClasses().that().resideInAPackage("io.dpo4j.core..").should().dependOnClassesThat()
                .resideInAPackage("io.dpo4j.train..").check(classes);
    }

    @Test
    @DisplayName("dpo-core and the API do not import the benchmark harness")
    void apiWithoutHarness() {
        noClasses().that().resideInAPackage("io.dpo4j.train..").should().dependOnClassesThat()
                .resideInAnyPackage("io.dpo4j.bench..", "io.dpo4j.cli..").check(classes);
    }

    @Test
    @DisplayName("the chat-template interpreter (io.dpo4j.core.jinja) is plain Java: no DJL, no other dpo4j package")
    void jinjaStandsAlone() {
        noClasses().that().resideInAPackage("io.dpo4j.core.jinja..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "io.dpo4j.api..", "io.dpo4j.core.model..", "io.dpo4j.core.data..",
                        "io.dpo4j.core.tokenizer..", "io.dpo4j.core.train..", "io.dpo4j.core.lora..",
                        "io.dpo4j.core.memory..", "com.fasterxml.jackson..")
                .check(classes);
    }

    @Test
    @DisplayName("LoRA (io.dpo4j.core.lora) and the memory plan (io.dpo4j.core.memory) sit on the model, below the trainer")
    void loraAndMemoryBelowTrainer() {
        noClasses().that().resideInAnyPackage("io.dpo4j.core.lora..", "io.dpo4j.core.memory..").should()
                .dependOnClassesThat().resideInAnyPackage("io.dpo4j.core.train..", "io.dpo4j.core.data..",
                        "io.dpo4j.core.registry..", "io.dpo4j.core.objective..", "io.dpo4j.train..")
                .check(classes);
        noClasses().that().resideInAPackage("io.dpo4j.core.memory..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "io.dpo4j.core.lora..").check(classes);
    }

    @Test
    @DisplayName("the data pipeline's configuration stays in the application: the library never sees TrainConfig")
    void configurationOnlyInTheApplication() {
        noClasses().that().resideInAnyPackage("io.dpo4j.core..", "io.dpo4j.train..", "io.dpo4j.bench..")
                .should().dependOnClassesThat().resideInAPackage("io.dpo4j.cli.config..").check(classes);
    }

    @Test
    @DisplayName("nothing below dpo-spark sees Spark or the Spark jobs: only `dpo spark` needs Spark on the class path")
    void sparkOnlyInItsModule() {
        noClasses().that().resideInAnyPackage("io.dpo4j.api..", "io.dpo4j.core..", "io.dpo4j.train..",
                "io.dpo4j.bench..", "io.dpo4j.cli..").should().dependOnClassesThat()
                .resideInAnyPackage("org.apache.spark..", "scala..", "io.dpo4j.spark..").check(classes);
    }
}
