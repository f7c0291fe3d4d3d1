package dev.tandem.runtime.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.testing.SampleRecords;
import org.junit.jupiter.api.Test;

/** The streaming encoder writes every record exactly as Gson's tree model did: the record format is unchanged. */
class RecordCodecStreamingTest {

  @Test
  void encode_sampleRecords_matchTheTreeEncoderByteForByte() {
    for (long seed = 1; seed <= 5; seed++) {
      for (Record r : SampleRecords.mixed("dev-" + seed, 1, 400, seed)) {
        assertThat(RecordCodec.encode(r)).isEqualTo(TreeRecordEncoder.encode(r));
      }
    }
  }

  @Test
  void encode_awkwardStrings_areEscapedAsTheTreeEncoderDid() {
    String message = "quote \" backslash \\ newline \n tab \t <html> & 'apostrophe' = \u2028 \u0001 é 漢字 \uD83D\uDE00";
    CloudResult c = CloudResult.of(OffloadStatus.INTERNAL_ERROR, message, -1, 12.5, 300,
        RelayReport.of("relay<1>", "v=2", -1, 0.0, -1));
    AmendmentRecord a = AmendmentRecord.lateReply("dev-x", 7, 1_700_000_000_000L, "dev-x:3", c, 1234);
    assertThat(RecordCodec.encode(a)).isEqualTo(TreeRecordEncoder.encode(a));
    assertThat(RecordCodec.decode(RecordCodec.encode(a)).toString()).isEqualTo(a.toString());
    AmendmentRecord label = AmendmentRecord.label("dev-x", 8, 1_700_000_000_001L, "dev-x:3", 1);
    assertThat(RecordCodec.encode(label)).isEqualTo(TreeRecordEncoder.encode(label));
  }

  @Test
  void encode_extremeNumbers_matchTheTreeEncoder() {
    CloudResult c = CloudResult.of(OffloadStatus.OK, "", 0, Double.MIN_VALUE, Long.MAX_VALUE,
        RelayReport.of("", "", 1e300, 1.0E-7, Integer.MAX_VALUE));
    AmendmentRecord a = AmendmentRecord.lateReply("d", Long.MAX_VALUE, 0, "d:1", c, 0);
    assertThat(RecordCodec.encode(a)).isEqualTo(TreeRecordEncoder.encode(a));
  }
}
