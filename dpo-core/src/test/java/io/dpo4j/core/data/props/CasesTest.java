package io.dpo4j.core.data.props;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

@DisplayName("Cases, Gen, Corrupt: the seeded property runner and its generators")
class CasesTest {

    /** Lists without their i-th element, for shrinking. */
    private static Stream<List<Integer>> withoutOne(List<Integer> list) {
        return IntStream.range(0, list.size()).mapToObj(i -> {
            List<Integer> out = new ArrayList<>(list);
            out.remove(i);
            return out;
        });
    }

    @Test
    @DisplayName("a case seed gives the same value every time; properties of other names get other seeds")
    void seeds() {
        Gen<List<Integer>> gen = Gen.ints(-5, 5).list(0, 20);
        assertThat(gen.next(new SplittableRandom(42))).isEqualTo(gen.next(new SplittableRandom(42)));
        assertThat(Cases.caseSeeds(1, "A#b", 50)).containsExactly(Cases.caseSeeds(1, "A#b", 50));
        assertThat(Cases.caseSeeds(1, "A#b", 50)).isNotEqualTo(Cases.caseSeeds(1, "A#c", 50));
        assertThat(Cases.caseSeeds(1, "A#b", 50)).isNotEqualTo(Cases.caseSeeds(2, "A#b", 50));
        assertThat(Cases.parse(Cases.format(-3))).isEqualTo(-3);
        assertThat(Cases.parse("17")).isEqualTo(17);
    }

    @Test
    @DisplayName("ints stay in range and hit both bounds; unit hits 0 and 1; subsets keep order and size")
    void generators() {
        SplittableRandom r = new SplittableRandom(7);
        List<Integer> ints = Stream.generate(() -> Gen.ints(3, 1_000_000).next(r)).limit(200).toList();
        assertThat(ints).allMatch(i -> i >= 3 && i <= 1_000_000).contains(3, 1_000_000);
        List<Double> units = Stream.generate(() -> Gen.unit().next(r)).limit(200).toList();
        assertThat(units).allMatch(d -> d >= 0 && d <= 1).contains(0.0, 1.0);
        for (int i = 0; i < 50; i++) {
            List<String> subset = Gen.subset(List.of("a", "b", "c"), 2).next(r);
            assertThat(subset).hasSizeGreaterThanOrEqualTo(2).isSorted().doesNotHaveDuplicates();
        }
        List<Integer> picks = Stream.generate(() -> Gen.frequency(List.of(Gen.weighted(9, Gen.constant(1)), Gen.weighted(1, Gen.constant(2))))
                .next(r)).limit(1000).toList();
        assertThat(picks.stream().filter(p -> p == 1).count()).isBetween(850L, 950L);
        assertThat(Gen.repeated("ab", 3, 3).next(r)).isEqualTo("ababab");
    }

    @Test
    @DisplayName("corruptions: truncation keeps and drops at least one code point; insertion lands strictly inside")
    void corruptions() {
        assertThat(Corrupt.truncate("a😀b", 0)).isEqualTo("a");
        assertThat(Corrupt.truncate("a😀b", 1)).isEqualTo("a😀");
        byte[] row = "{}".getBytes(StandardCharsets.US_ASCII);
        assertThat(Corrupt.insertInside(row, 0.5, new byte[] {(byte) 0xFF})).containsExactly('{', 0xFF, '}');
        assertThat(Corrupt.withBom(row)).startsWith(Corrupt.BOM);
        assertThat(Corrupt.invalidJson("{\"a\": 1}", 0)).isEqualTo("{\"a\" 1}");
        assertThat(Corrupt.joinLines(List.of(row, row), List.of(Corrupt.CRLF, Corrupt.LF), false, false))
                .isEqualTo("{}\r\n{}".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @DisplayName("a failing property names the seed and the replay command, shrinks the input, and skips its later cases")
    void failure() {
        List<DynamicTest> tests = Cases.forAll(Gen.ints(0, 100).list(1, 10)).tries(200).shrinkWith(CasesTest::withoutOne)
                .check(l -> assertThat(l).allMatch(i -> i < 90)).toList();
        assertThat(tests).hasSize(200);
        assertThat(tests.get(0).getDisplayName()).matches("case 1 of 200, seed 0x[0-9a-f]{16}");
        int failed = -1;
        for (int i = 0; i < tests.size(); i++) {
            try {
                tests.get(i).getExecutable().execute();
            } catch (TestAbortedException e) {
                assertThat(failed).as("aborted before any failure").isNotNegative();
                assertThat(e.getMessage()).contains("failed already");
            } catch (AssertionError e) {
                assertThat(failed).as("a second failure").isNegative();
                failed = i;
                String seed = tests.get(i).getDisplayName().replaceAll(".*seed ", "");
                assertThat(e.getMessage()).contains("CasesTest#failure failed at case " + (i + 1) + " of 200, seed " + seed)
                        .contains("-Dtest='CasesTest#failure' -Ddpo4j.props.replay=" + seed)
                        .containsPattern("smallest failing input \\(\\d+ shrinking steps, \\d+ candidates checked\\):\n\\[(9\\d|100)\\]\n")
                        .contains("generated input:");
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }
        assertThat(failed).as("no case failed").isNotNegative();
    }

    @Test
    @DisplayName("with dpo4j.props.replay set, a property runs that one case")
    void replay() throws Throwable {
        List<Integer> seen = new ArrayList<>();
        List<DynamicTest> all = Cases.forAll(Gen.ints(0, 1_000_000)).tries(5).check(seen::add).toList();
        for (DynamicTest t : all) {
            t.getExecutable().execute();
        }
        String third = all.get(2).getDisplayName().replaceAll(".*seed ", "");
        System.setProperty(Cases.REPLAY, third);
        try {
            List<DynamicTest> replay = Cases.forAll(Gen.ints(0, 1_000_000)).tries(5).check(seen::add).toList();
            assertThat(replay).hasSize(1);
            replay.get(0).getExecutable().execute();
        } finally {
            System.clearProperty(Cases.REPLAY);
        }
        assertThat(seen).hasSize(6);
        assertThat(seen.get(5)).isEqualTo(seen.get(2));
    }

    @Test
    @DisplayName("an exception other than an assertion fails the case too")
    void exceptions() {
        List<DynamicTest> tests = Cases.forAll(Gen.constant("x")).tries(1).check(s -> {
            throw new IllegalStateException("boom");
        }).toList();
        assertThatThrownBy(() -> tests.get(0).getExecutable().execute()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("CasesTest#exceptions failed at case 1 of 1").hasCauseInstanceOf(IllegalStateException.class);
    }
}
