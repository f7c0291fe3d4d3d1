package dev.tandem.workload.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFetcherTest {
  @TempDir Path dir;

  /** One ustar entry: header, content, padding to 512. */
  private static void entry(OutputStream out, String name, char type, byte[] content) throws IOException {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
    byte[] size = String.format("%011o", content.length).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, h, 124, size.length);
    h[156] = (byte) type;
    System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 5);
    out.write(h);
    out.write(content);
    out.write(new byte[(512 - content.length % 512) % 512]);
  }

  private Path tarball(String... namesAndContents) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    entry(tar, "package/", '5', new byte[0]);
    for (int i = 0; i < namesAndContents.length; i += 2) {
      entry(tar, namesAndContents[i], '0', namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    tar.write(new byte[1024]);
    Path tgz = dir.resolve("x.tgz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz))) {
      out.write(tar.toByteArray());
    }
    return tgz;
  }

  @Test
  void untarGz_writesRegularFiles() throws IOException {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      big.append("line ").append(i).append('\n');
    }
    Path tgz = tarball("package/data/spam-1/1.json", "{\"id\":\"1\",\"text\":\"Subject: hi\\n\\nbody\"}",
        "package/big.txt", big.toString());
    CorpusFetcher.untarGz(tgz, dir.resolve("out"));
    assertThat(dir.resolve("out/package/big.txt")).hasContent(big.toString().trim());
    Corpus c = Corpus.load(dir.resolve("out"));
    assertThat(c.messages()).singleElement().satisfies(m -> {
      assertThat(m.id()).isEqualTo("spam-1/1");
      assertThat(m.text()).isEqualTo("hi\nbody");
      assertThat(m.label()).isEqualTo(Label.SPAM);
    });
  }

  @Test
  void untarGz_entryEscapingTheTarget_isRefused() throws IOException {
    Path tgz = tarball("../evil.txt", "x");
    assertThatThrownBy(() -> CorpusFetcher.untarGz(tgz, dir.resolve("out")))
        .isInstanceOf(CorpusException.class).hasMessageContaining("escapes");
    assertThat(dir.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void ensure_withoutNpm_saysSoAndOffersCorpusDir() {
    assertThatThrownBy(() -> CorpusFetcher.ensure(dir.resolve("cache"), dir.resolve("empty-bin").toString()))
        .isInstanceOf(CorpusException.class)
        .hasMessageContaining("fetched with npm, which is not on the PATH")
        .hasMessageContaining("apt-get install npm")
        .hasMessageContaining("--corpus DIR");
    assertThat(CorpusFetcher.isFetched(dir.resolve("cache"))).isFalse();
  }
}
