package dev.tandem.workload.corpus;

/** The two classes of the spam filter; {@link #index()} is the class index of the models' output. */
public enum Label {
  HAM(0),
  SPAM(1);

  private final int index;

  Label(int index) {
    this.index = index;
  }

  /** 0 for ham, 1 for spam: the column of the models' {@code probabilities} output. */
  public int index() {
    return index;
  }

  /** The label of a corpus group by its name: it contains "spam" or "ham". */
  public static Label ofGroup(String group) {
    String g = group.toLowerCase(java.util.Locale.ROOT);
    if (g.contains("spam")) {
      return SPAM;
    }
    if (g.contains("ham")) {
      return HAM;
    }
    throw new CorpusException("corpus group '" + group + "': its name must contain 'spam' or 'ham'");
  }

  public static Label ofIndex(int index) {
    if (index == 0) {
      return HAM;
    }
    if (index == 1) {
      return SPAM;
    }
    throw new IllegalArgumentException("label index " + index + ": 0 (ham) or 1 (spam) expected");
  }
}
