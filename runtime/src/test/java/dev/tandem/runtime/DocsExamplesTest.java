package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordReplay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples in docs/policy.md and docs/records.md are valid, the example records replay, and
 * the README's Java examples compile against the runtime.
 */
class DocsExamplesTest {

  static List<String> jsonBlocks(String doc) throws IOException {
    String text = new String(Files.readAllBytes(docs().resolve(doc)), StandardCharsets.UTF_8);
    List<String> blocks = new ArrayList<>();
    int i = 0;
    while ((i = text.indexOf("```json\n", i)) >= 0) {
      int end = text.indexOf("```", i + 8);
      blocks.add(text.substring(i + 8, end));
      i = end + 3;
    }
    return blocks;
  }

  static List<String> blocks(Path file, String fence) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> blocks = new ArrayList<>();
    String open = "```" + fence + "\n";
    int i = 0;
    while ((i = text.indexOf(open, i)) >= 0) {
      int end = text.indexOf("```", i + open.length());
      blocks.add(text.substring(i + open.length(), end));
      i = end + 3;
    }
    return blocks;
  }

  /**
   * A README block as a compilation unit: a whole program as it is; a fragment inside a method
   * that imports every API package and declares the one free variable fragments use
   * ({@code float[] x}, an input's values).
   */
  static String unit(String block, int n) {
    if (block.contains(" class ")) {
      return block;
    }
    StringBuilder sb = new StringBuilder();
    for (String pkg : new String[] {"dev.tandem.runtime", "dev.tandem.runtime.model", "dev.tandem.runtime.policy",
        "dev.tandem.runtime.signal", "dev.tandem.runtime.spool", "dev.tandem.runtime.text", "java.nio.file",
        "java.util"}) {
      sb.append("import ").append(pkg).append(".*;\n");
    }
    return sb.append("public class Fragment").append(n).append(" {\n  static void example(float[] x) throws Exception {\n")
        .append(block).append("  }\n}\n").toString();
  }

  @Test
  void readmeJavaExamples_compileAgainstTheRuntime() throws Exception {
    List<String> blocks = blocks(docs().getParent().resolve("README.md"), "java");
    assertThat(blocks).as("java blocks in README.md").isNotEmpty();
    assertThat(blocks.get(0)).as("the first example is a whole program").contains("public static void main");
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    Path src = Files.createTempDirectory("readme-src");
    Path out = Files.createTempDirectory("readme-classes");
    List<String> files = new ArrayList<>();
    for (int n = 0; n < blocks.size(); n++) {
      String unit = unit(blocks.get(n), n);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("public class (\\w+)").matcher(unit);
      assertThat(m.find()).as("block " + n + " declares a public class").isTrue();
      Path f = src.resolve(m.group(1) + ".java");
      Files.write(f, unit.getBytes(StandardCharsets.UTF_8));
      files.add(f.toString());
    }
    String classpath = Paths.get(Tandem.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + java.io.File.pathSeparator + System.getProperty("java.class.path");
    List<String> args = new ArrayList<>(List.of("--release", "11", "-proc:none", "-cp", classpath, "-d", out.toString()));
    args.addAll(files);
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int rc = javac.run(null, null, err, args.toArray(new String[0]));
    assertThat(rc).as("javac on README.md's examples:\n" + err.toString(StandardCharsets.UTF_8)).isZero();
  }

  static Path docs() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("docs"))) {
      p = p.getParent();
    }
    assertThat(p).as("a docs folder above " + Paths.get("").toAbsolutePath()).isNotNull();
    return p.resolve("docs");
  }

  @Test
  void policyExamples_parse() throws IOException {
    List<String> blocks = jsonBlocks("policy.md");
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
    for (String b : blocks) {
      Policy p = Policy.fromJson(b);
      assertThat(Policy.fromJson(p.toJson())).isEqualTo(p);
    }
  }

  @Test
  void recordExamples_decodeAndReplay() throws IOException {
    Policy policy = Policy.fromJson(jsonBlocks("policy.md").get(0));
    List<Record> records = new ArrayList<>();
    for (String b : jsonBlocks("records.md")) {
      if (b.startsWith("{\n")) {
        records.add(RecordCodec.decode(b));
      } else {
        for (String line : b.split("\n")) {
          records.add(RecordCodec.decode(line));
        }
      }
    }
    assertThat(records).extracting(Record::kind).contains("decision", "amendment");
    for (Record r : records) {
      if (r instanceof DecisionRecord) {
        assertThat(RecordReplay.replays(policy, (DecisionRecord) r)).as(r.id()).isTrue();
      }
    }
  }
}
