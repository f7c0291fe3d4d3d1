package dev.tandem.runtime.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {
  /** Carries the three parts of a problem, so tests can check each. */
  static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String path;
    final String value;
    final String problem;

    Problem(String path, String value, String problem) {
      super(path + "|" + value + "|" + problem);
      this.path = path;
      this.value = value;
      this.problem = problem;
    }
  }

  private static JsonFields parse(String json) {
    return JsonFields.parse(json, Problem::new);
  }

  private static void assertProblem(Runnable r, String path, String value, String problem) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(Problem.class, p -> {
      assertThat(p.path).isEqualTo(path);
      assertThat(p.value).isEqualTo(value);
      assertThat(p.problem).startsWith(problem);
    });
  }

  @Test
  void parse_notStrictJson_isRejected() {
    for (String bad : Arrays.asList("{\"a\": 1,", "{a: 1}", "{\"a\": 'x'}", "{\"a\": 1} // c", "{\"a\": 1} {}",
        "{\"a\": NaN}", "")) {
      assertProblem(() -> parse(bad), "", "", "is not valid JSON");
    }
  }

  @Test
  void parse_notAnObject_isRejected() {
    assertProblem(() -> parse("[1]"), "", "[1]", "must be a JSON object");
  }

  @Test
  void parse_duplicateKey_namesItsPath() {
    assertProblem(() -> parse("{\"a\": {\"b\": 1, \"b\": 2}}"), "a.b", "", "appears twice");
  }

  @Test
  void reads_nestedFields_withTheirPaths() {
    JsonFields f = parse("{\"rules\": [{\"threshold\": 0.5}, {\"threshold\": 0.7}, {\"threshold\": \"high\"}]}");
    assertThat(f.objects("rules").get(1).number("threshold")).isEqualTo(0.7);
    assertProblem(() -> f.objects("rules").get(2).number("threshold"), "rules[2].threshold", "\"high\"",
        "must be a number");
  }

  @Test
  void required_missingOrNull_isRequired() {
    JsonFields f = parse("{\"a\": null}");
    assertProblem(() -> f.string("a"), "a", "", "is required");
    assertProblem(() -> f.object("b"), "b", "", "is required");
    assertThat(f.string("a", "dflt")).isEqualTo("dflt");
  }

  @Test
  void types_mismatched_nameTheExpectedType() {
    JsonFields f = parse("{\"s\": 1, \"i\": 1.5, \"n\": \"x\", \"b\": 0, \"o\": [], \"a\": {}, \"big\": 1e400,"
        + " \"l\": [\"x\", 2]}");
    assertProblem(() -> f.string("s"), "s", "1", "must be a string");
    assertProblem(() -> f.integer("i"), "i", "1.5", "must be an integer");
    assertProblem(() -> f.number("n"), "n", "\"x\"", "must be a number");
    assertProblem(() -> f.bool("b"), "b", "0", "must be true or false");
    assertProblem(() -> f.object("o"), "o", "[]", "must be an object");
    assertProblem(() -> f.array("a"), "a", "{}", "must be an array");
    assertProblem(() -> f.number("big"), "big", "1e400", "must be finite");
    assertProblem(() -> f.strings("l", Collections.emptyList()), "l[1]", "2", "must be a string");
  }

  @Test
  void integers_keepTheirExactValue() {
    JsonFields f = parse("{\"max\": 9223372036854775807, \"over\": 9223372036854775808, \"e\": 1e3}");
    assertThat(f.integer("max")).isEqualTo(Long.MAX_VALUE);
    assertThat(f.integer("e")).isEqualTo(1000);
    assertProblem(() -> f.integer("over"), "over", "9223372036854775808", "must be an integer");
  }

  @Test
  void ranges_outside_nameTheBounds() {
    JsonFields f = parse("{\"a\": {\"n\": 0, \"d\": 2.5}}").object("a");
    assertProblem(() -> f.integer("n", 8, 1, 64), "a.n", "0", "must be between 1 and 64");
    assertProblem(() -> f.number("d", 0, 0, 1), "a.d", "2.5", "must be between 0.0 and 1.0");
    assertThat(f.integer("missing", 8, 1, 64)).isEqualTo(8);
  }

  @Test
  void allow_unknownField_namesItAndTheKnownOnes() {
    JsonFields f = parse("{\"canary\": {\"fractoin\": 1}}");
    assertProblem(() -> f.object("canary").allow("fraction"), "canary.fractoin", "1",
        "is not a known field (known: fraction)");
  }

  enum Fsync { EVERY, NONE }

  @Test
  void choice_unknownName_listsTheChoices() {
    JsonFields f = parse("{\"fsync\": \"sometimes\", \"ok\": \"None\"}");
    assertThat(f.choice("ok", Fsync.EVERY, Fsync.class)).isEqualTo(Fsync.NONE);
    assertProblem(() -> f.choice("fsync", Fsync.EVERY, Fsync.class), "fsync", "\"sometimes\"",
        "must be one of [every, none]");
  }

  @Test
  void value_long_isAbbreviated() {
    StringBuilder long_ = new StringBuilder("\"");
    for (int i = 0; i < 200; i++) {
      long_.append('x');
    }
    JsonFields f = parse("{\"s\": " + long_ + "\"}");
    assertThatThrownBy(() -> f.integer("s")).isInstanceOfSatisfying(Problem.class,
        p -> assertThat(p.value).hasSize(80).endsWith("..."));
  }
}
