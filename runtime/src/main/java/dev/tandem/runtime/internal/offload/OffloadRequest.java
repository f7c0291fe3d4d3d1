package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One request for the cloud model: the model name, its input tensors, the time left for an
 * answer and the device's estimate of the uplink time (see "Budgets, not clocks" in the
 * protocol docs). Immutable.
 */
public final class OffloadRequest {
  private final String decisionId;
  private final String model;
  private final List<Tensor> inputs;
  private final long budgetMs;
  private final long uplinkEstimateMs;

  private OffloadRequest(Builder b) {
    this.decisionId = b.decisionId;
    this.model = b.model;
    this.inputs = Collections.unmodifiableList(new ArrayList<>(b.inputs));
    this.budgetMs = b.budgetMs;
    this.uplinkEstimateMs = b.uplinkEstimateMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The id of the decision this request serves (device id and sequence). */
  public String decisionId() {
    return decisionId;
  }

  /** The model the relay should run. */
  public String model() {
    return model;
  }

  public List<Tensor> inputs() {
    return inputs;
  }

  /** Milliseconds left until the decision's deadline, when the request is made. */
  public long budgetMs() {
    return budgetMs;
  }

  /** The device's estimate of the one-way uplink time in milliseconds. */
  public long uplinkEstimateMs() {
    return uplinkEstimateMs;
  }

  /** Builder for {@link OffloadRequest}. */
  public static final class Builder {
    private String decisionId;
    private String model;
    private final List<Tensor> inputs = new ArrayList<>();
    private long budgetMs = -1;
    private long uplinkEstimateMs;

    private Builder() {}

    public Builder decisionId(String decisionId) {
      this.decisionId = decisionId;
      return this;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder addInput(Tensor input) {
      inputs.add(Objects.requireNonNull(input, "input"));
      return this;
    }

    public Builder inputs(List<Tensor> inputs) {
      this.inputs.clear();
      for (Tensor t : inputs) {
        addInput(t);
      }
      return this;
    }

    public Builder budgetMs(long budgetMs) {
      this.budgetMs = budgetMs;
      return this;
    }

    public Builder uplinkEstimateMs(long uplinkEstimateMs) {
      this.uplinkEstimateMs = uplinkEstimateMs;
      return this;
    }

    /** @throws IllegalStateException naming the missing or invalid option */
    public OffloadRequest build() {
      if (decisionId == null || decisionId.isEmpty()) {
        throw new IllegalStateException("decisionId is required");
      }
      if (model == null || model.isEmpty()) {
        throw new IllegalStateException("model is required");
      }
      if (inputs.isEmpty()) {
        throw new IllegalStateException("at least one input tensor is required");
      }
      if (budgetMs < 0) {
        throw new IllegalStateException("budgetMs must be set and >= 0, was " + budgetMs);
      }
      if (uplinkEstimateMs < 0) {
        throw new IllegalStateException("uplinkEstimateMs must be >= 0, was " + uplinkEstimateMs);
      }
      return new OffloadRequest(this);
    }
  }
}
