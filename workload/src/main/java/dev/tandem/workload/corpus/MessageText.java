package dev.tandem.workload.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text a classifier sees of one raw RFC 822 message: its subject, a newline, then the text
 * of its body with headers, MIME structure, transfer encodings and HTML removed.
 *
 * <p>Design: a small, forgiving MIME reader, not a mail library. Multipart bodies are walked
 * recursively; of a {@code multipart/alternative} the plain-text part is kept when it has text,
 * else the HTML one; non-text parts (images, attachments) are dropped. Quoted-printable and
 * base64 parts are decoded with their charset (ISO-8859-1 when it is unknown). Whitespace is
 * collapsed within lines and blank lines dropped, so the same message always gives the same text.
 */
public final class MessageText {
  private static final Pattern ENCODED_WORD =
      Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
  private static final Pattern BLOCKS = Pattern.compile(
      "(?is)<!--.*?-->|<(script|style|head)\\b[^>]*>.*?</\\1\\s*>");
  private static final Pattern BREAKS = Pattern.compile(
      "(?i)<\\s*(br|/p|p|/div|div|/tr|/li|li|/h[1-6]|/table|hr)\\b[^>]*>");
  private static final Pattern TAGS = Pattern.compile("(?s)<[^>]*>");
  private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});?");
  private static final Pattern SPACES = Pattern.compile("[\\s\\u00a0]+");
  private static final Map<String, String> ENTITIES = new HashMap<>();
  private static final int MAX_DEPTH = 8;

  static {
    String[] e = {"nbsp", " ", "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'",
        "copy", "\u00a9", "reg", "\u00ae", "trade", "\u2122", "euro", "\u20ac", "pound", "\u00a3",
        "yen", "\u00a5", "cent", "\u00a2", "mdash", "\u2014", "ndash", "\u2013", "hellip", "\u2026",
        "laquo", "\u00ab", "raquo", "\u00bb", "lsquo", "\u2018", "rsquo", "\u2019", "ldquo", "\u201c",
        "rdquo", "\u201d", "bull", "\u2022", "middot", "\u00b7", "deg", "\u00b0", "times", "\u00d7"};
    for (int i = 0; i < e.length; i += 2) {
      ENTITIES.put(e[i], e[i + 1]);
    }
  }

  private MessageText() {}

  /** The subject and body text of a raw message (a message without headers is all body). */
  public static String extract(String rawMessage) {
    Part p = Part.parse(rawMessage.replace("\r\n", "\n"));
    String subject = decodeHeader(p.header("subject"));
    StringBuilder body = new StringBuilder();
    bodyText(p, body, 0);
    return clean(subject + "\n" + body);
  }

  private static void bodyText(Part p, StringBuilder out, int depth) {
    String type = p.contentType();
    if (type.startsWith("multipart/") && depth < MAX_DEPTH) {
      String boundary = p.param("content-type", "boundary");
      if (boundary != null && !boundary.isEmpty()) {
        List<Part> parts = p.split(boundary);
        if (type.equals("multipart/alternative")) {
          Part chosen = null;
          for (Part c : parts) {
            if (c.contentType().equals("text/plain") && !clean(decodeBody(c)).isEmpty()) {
              chosen = c;
              break;
            }
          }
          if (chosen != null) {
            bodyText(chosen, out, depth + 1);
            return;
          }
        }
        for (Part c : parts) {
          bodyText(c, out, depth + 1);
        }
        return;
      }
    }
    if (type.equals("text/html")) {
      out.append(stripHtml(decodeBody(p))).append('\n');
    } else if (type.startsWith("text/")) {
      String text = decodeBody(p);
      // Mislabelled HTML (text/plain or no type) is common in spam.
      out.append(looksLikeHtml(text) ? stripHtml(text) : text).append('\n');
    } else if (type.equals("message/rfc822") && depth < MAX_DEPTH) {
      Part inner = Part.parse(p.body);
      out.append(decodeHeader(inner.header("subject"))).append('\n');
      bodyText(inner, out, depth + 1);
    }
    // Other types (images, applications) carry no text.
  }

  private static boolean looksLikeHtml(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    return l.contains("<html") || l.contains("<body") || l.contains("<br") || l.contains("<p>")
        || l.contains("<font") || l.contains("<table");
  }

  static String decodeBody(Part p) {
    String cte = p.header("content-transfer-encoding").trim().toLowerCase(Locale.ROOT);
    if (!cte.equals("quoted-printable") && !cte.equals("base64")) {
      return p.body;
    }
    byte[] bytes = cte.equals("base64") ? base64(p.body) : quotedPrintable(p.body, false);
    return new String(bytes, charset(p.param("content-type", "charset")));
  }

  private static Charset charset(String name) {
    if (name == null) {
      return StandardCharsets.ISO_8859_1;
    }
    try {
      return Charset.forName(name.trim());
    } catch (RuntimeException e) {
      // Unknown or illegal charset names are common in spam; bytes stay readable as Latin-1.
      return StandardCharsets.ISO_8859_1;
    }
  }

  private static byte[] base64(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
        b.append(c);
      }
    }
    int usable = b.length() - b.length() % 4;
    if (b.length() % 4 >= 2) {
      // Keep a trailing partial quantum: pad it.
      while (b.length() % 4 != 0) {
        b.append('=');
      }
      usable = b.length();
    }
    return Base64.getDecoder().decode(b.substring(0, usable));
  }

  private static byte[] quotedPrintable(String s, boolean underscoreIsSpace) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          i++; // soft line break
          continue;
        }
        if (i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
          out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
          i += 2;
          continue;
        }
        out.write('=');
      } else if (c == '_' && underscoreIsSpace) {
        out.write(' ');
      } else if (c < 256) {
        out.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
      }
    }
    return out.toByteArray();
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  /** RFC 2047 encoded words in a header value. */
  static String decodeHeader(String value) {
    Matcher m = ENCODED_WORD.matcher(value);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      String between = value.substring(last, m.start());
      // Whitespace between two adjacent encoded words is dropped.
      if (!(last > 0 && between.trim().isEmpty())) {
        out.append(between);
      }
      byte[] bytes = m.group(2).equalsIgnoreCase("b") ? base64(m.group(3)) : quotedPrintable(m.group(3), true);
      out.append(new String(bytes, charset(m.group(1))));
      last = m.end();
    }
    out.append(value.substring(last));
    return out.toString();
  }

  static String stripHtml(String html) {
    String s = BLOCKS.matcher(html).replaceAll(" ");
    s = BREAKS.matcher(s).replaceAll("\n");
    s = TAGS.matcher(s).replaceAll(" ");
    Matcher m = ENTITY.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start());
      out.append(entity(m.group(0), m.group(1)));
      last = m.end();
    }
    out.append(s, last, s.length());
    return out.toString();
  }

  private static String entity(String whole, String name) {
    try {
      if (name.startsWith("#x") || name.startsWith("#X")) {
        return new String(Character.toChars(Integer.parseInt(name.substring(2), 16)));
      }
      if (name.startsWith("#")) {
        return new String(Character.toChars(Integer.parseInt(name.substring(1))));
      }
    } catch (IllegalArgumentException e) {
      return whole; // not a valid code point: leave the text as written
    }
    String v = ENTITIES.get(name.toLowerCase(Locale.ROOT));
    return v == null ? whole : v;
  }

  /** Collapses whitespace within lines, trims them and drops blank ones. */
  static String clean(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (String line : s.split("\n")) {
      String l = SPACES.matcher(line).replaceAll(" ").trim();
      if (!l.isEmpty()) {
        if (out.length() > 0) {
          out.append('\n');
        }
        out.append(l);
      }
    }
    return out.toString();
  }

  /** A header block and a body. */
  static final class Part {
    final Map<String, String> headers;
    final String body;

    private Part(Map<String, String> headers, String body) {
      this.headers = headers;
      this.body = body;
    }

    static Part parse(String raw) {
      Map<String, String> headers = new HashMap<>();
      int end = raw.indexOf("\n\n");
      String head = end < 0 ? raw : raw.substring(0, end);
      String body = end < 0 ? "" : raw.substring(end + 2);
      if (end >= 0 && raw.startsWith("\n")) {
        return new Part(headers, raw.substring(1)); // no headers at all
      }
      String name = null;
      StringBuilder value = new StringBuilder();
      for (String line : head.split("\n")) {
        if ((line.startsWith(" ") || line.startsWith("\t")) && name != null) {
          value.append(' ').append(line.trim());
          continue;
        }
        if (name != null) {
          headers.putIfAbsent(name, value.toString().trim());
        }
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).indexOf(' ') < 0) {
          name = line.substring(0, colon).toLowerCase(Locale.ROOT);
          value.setLength(0);
          value.append(line.substring(colon + 1));
        } else {
          name = null; // the mbox "From " line or a malformed header
        }
      }
      if (name != null) {
        headers.putIfAbsent(name, value.toString().trim());
      }
      if (headers.isEmpty() && end < 0) {
        return new Part(headers, raw);
      }
      return new Part(headers, body);
    }

    String header(String name) {
      String v = headers.get(name);
      return v == null ? "" : v;
    }

    String contentType() {
      String v = header("content-type");
      int semi = v.indexOf(';');
      String t = (semi < 0 ? v : v.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
      return t.isEmpty() ? "text/plain" : t;
    }

    String param(String headerName, String param) {
      Matcher m = Pattern.compile("(?i);\\s*" + Pattern.quote(param) + "\\s*=\\s*(\"([^\"]*)\"|([^;\\s]*))")
          .matcher(header(headerName));
      if (!m.find()) {
        return null;
      }
      return m.group(2) != null ? m.group(2) : m.group(3);
    }

    List<Part> split(String boundary) {
      List<Part> parts = new ArrayList<>();
      String delimiter = "--" + boundary;
      StringBuilder current = null;
      for (String line : body.split("\n", -1)) {
        String t = line.trim();
        if (t.equals(delimiter) || t.equals(delimiter + "--")) {
          if (current != null) {
            parts.add(parse(current.toString()));
          }
          current = t.equals(delimiter) ? new StringBuilder() : null;
          if (current == null) {
            break;
          }
        } else if (current != null) {
          current.append(line).append('\n');
        }
      }
      if (current != null) {
        parts.add(parse(current.toString()));
      }
      return parts;
    }
  }
}
