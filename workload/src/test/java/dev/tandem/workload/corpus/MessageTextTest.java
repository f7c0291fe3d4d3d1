package dev.tandem.workload.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTextTest {
  @Test
  void extract_plainMessage_keepsSubjectAndBodyWithoutHeaders() {
    String raw = "From someone@example.com  Thu Aug 22 13:17:22 2002\n"
        + "Received: from a\n\tby b\n"
        + "Subject: Hello   there\n"
        + "To: x@example.com\n\n"
        + "First line.\n\n\n  Second    line.  \n";
    assertThat(MessageText.extract(raw)).isEqualTo("Hello there\nFirst line.\nSecond line.");
  }

  @Test
  void extract_foldedAndEncodedSubject_isDecoded() {
    String raw = "Subject: =?iso-8859-1?q?Caf=E9_au?= =?utf-8?B?bGFpdA==?=\n  again\n\nbody";
    assertThat(MessageText.extract(raw)).isEqualTo("Café aulait again\nbody");
  }

  @Test
  void extract_quotedPrintableHtml_isDecodedAndStripped() {
    String raw = "Subject: Offer\nContent-Type: text/html; charset=\"iso-8859-1\"\n"
        + "Content-Transfer-Encoding: quoted-printable\n\n"
        + "<HTML><HEAD><TITLE>t</TITLE><STYLE>p{color:red}</STYLE></HEAD><BODY>\n"
        + "<!-- hidden --><p>Save up to 70% on Life=\n Insurance &amp; more&nbsp;now.</p><br>Caf=E9 &#65;&#x42;"
        + "<script>alert(1)</script></BODY></HTML>\n";
    assertThat(MessageText.extract(raw)).isEqualTo("Offer\nSave up to 70% on Life Insurance & more now.\nCafé AB");
  }

  @Test
  void extract_multipartAlternative_prefersPlainText() {
    String raw = "Subject: Both\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n"
        + "preamble\n--XX\nContent-Type: text/plain\n\nplain version\n"
        + "--XX\nContent-Type: text/html\n\n<b>html version</b>\n--XX--\nepilogue\n";
    assertThat(MessageText.extract(raw)).isEqualTo("Both\nplain version");
  }

  @Test
  void extract_multipartMixed_keepsTextPartsAndDropsAttachments() {
    String raw = "Subject: Mixed\nContent-Type: multipart/mixed; boundary=b1\n\n"
        + "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + "SGVsbG8gd8O2cmxk\n"
        + "--b1\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n"
        + "--b1\nContent-Type: text/html\n\n<p>from html</p>\n--b1--\n";
    assertThat(MessageText.extract(raw)).isEqualTo("Mixed\nHello wörld\nfrom html");
  }

  @Test
  void extract_htmlWithoutContentType_isStripped() {
    String raw = "Subject: s\n\n<html><body><font size=2>Click <a href=\"http://x\">here</a></font></body></html>";
    assertThat(MessageText.extract(raw)).isEqualTo("s\nClick here");
  }

  @Test
  void extract_unknownCharset_fallsBackToLatin1() {
    String raw = "Subject: s\nContent-Type: text/plain; charset=x-unknown-42\n"
        + "Content-Transfer-Encoding: quoted-printable\n\nna=EFve";
    assertThat(MessageText.extract(raw)).isEqualTo("s\nnaïve");
  }
}
