package dev.tandem.workload.embed;

/**
 * How a sentence vector is made of a model's per-token hidden states; both kinds are then
 * L2-normalised (as sentence-transformers does: {@code x / max(||x||, 1e-12)}).
 */
public enum Pooling {
  /** The mean of the token vectors over the attention mask (all-MiniLM-L6-v2). */
  MEAN,
  /** The first ([CLS]) token's vector (bge-small-en-v1.5). */
  CLS;

  /** Clamp of the mask count in mean pooling (sentence-transformers' value). */
  public static final float MASK_EPSILON = 1e-9f;
  /** Clamp of the norm in normalisation (torch.nn.functional.normalize's value). */
  public static final float NORM_EPSILON = 1e-12f;

  /**
   * The pooled, L2-normalised vector of one sequence.
   *
   * @param hidden row-major [seq, dim] hidden states of one sequence
   * @param mask the sequence's attention mask (length seq)
   */
  public float[] pool(float[] hidden, long[] mask, int dim) {
    int seq = mask.length;
    if (hidden.length != seq * dim) {
      throw new IllegalArgumentException(
          "hidden states hold " + hidden.length + " floats, not seq " + seq + " x dim " + dim);
    }
    float[] out = new float[dim];
    if (this == CLS) {
      System.arraycopy(hidden, 0, out, 0, dim);
    } else {
      float count = 0;
      for (int s = 0; s < seq; s++) {
        if (mask[s] != 0) {
          count += mask[s];
          for (int d = 0; d < dim; d++) {
            out[d] += hidden[s * dim + d] * mask[s];
          }
        }
      }
      float c = Math.max(count, MASK_EPSILON);
      for (int d = 0; d < dim; d++) {
        out[d] /= c;
      }
    }
    double ss = 0;
    for (float v : out) {
      ss += (double) v * v;
    }
    float norm = (float) Math.max(Math.sqrt(ss), NORM_EPSILON);
    for (int d = 0; d < dim; d++) {
      out[d] /= norm;
    }
    return out;
  }
}
