package io.dpo4j.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * dpo-spark sits on top (dpo-cli ← dpo-spark): nothing else sees it or Spark, and it reaches the model
 * and the data only through the library and the application's pipeline, never through Guice.
 */
@DisplayName("layering: dpo-spark on top, Spark nowhere else")
class SparkLayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.dpo4j");
    }

    @Test
    @DisplayName("no other module imports io.dpo4j.spark, Spark or Scala")
    void sparkOnlyHere() {
        noClasses().that().resideOutsideOfPackage("io.dpo4j.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("io.dpo4j.spark..", "org.apache.spark..", "scala..").check(classes);
    }

    @Test
    @DisplayName("the Spark jobs use no Guice and no benchmark harness")
    void noCompositionRoot() {
        noClasses().that().resideInAPackage("io.dpo4j.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("com.google.inject..", "io.dpo4j.bench..").check(classes);
    }
}
