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

/** The examples in docs/policy.md and docs/records.md are valid, and the example records replay. */
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
